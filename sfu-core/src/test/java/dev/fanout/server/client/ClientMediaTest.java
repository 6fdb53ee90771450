package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.RemoteTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.client.ClientHarness.Received;
import dev.fanout.server.client.ClientHarness.Recorder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The media path end to end with the Java client: real ICE, DTLS and SRTP over loopback sockets,
 * synthetic VP8-shaped video and Opus-sized audio.
 */
class ClientMediaTest {
  private static final java.time.Duration T = java.time.Duration.ofSeconds(5);
  private ClientHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ClientHarness();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void publishedTracksReachEverySubscriberAsGaplessStreamsFromAKeyframe() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    LocalTrack mic = LocalTrack.audio("microphone");
    pub.publish(cam, mic);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, mic, 600_000, 30)) {
      List<Recorder> recorders = new ArrayList<>();
      List<RemoteTrack[]> remote = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        FanoutClient sub = h.join("r", "sub" + i);
        Recorder rec = new Recorder();
        sub.onRtp(rec);
        recorders.add(rec);
        remote.add(new RemoteTrack[] {sub.subscribe(cam.trackId()), sub.subscribe(mic.trackId())});
      }
      Thread.sleep(2000);
      for (int i = 0; i < recorders.size(); i++) {
        Recorder rec = recorders.get(i);
        List<Received> video = rec.media(cam.trackId());
        List<Received> audio = rec.media(mic.trackId());
        assertThat(video).as("video at subscriber %d", i).hasSizeGreaterThan(60);
        assertThat(audio).as("audio at subscriber %d", i).hasSizeGreaterThan(50);
        assertThat(video.get(0).keyframe()).as("first video packet starts a keyframe").isTrue();
        assertGapless(video, remote.get(i)[0].ssrc());
        assertGapless(audio, remote.get(i)[1].ssrc());
      }
    }
  }

  @Test
  void nackIsAnsweredWithRtxCarryingTheLostPacket() throws Exception {
    Lost lost = subscribeLosingOnePacket(true);
    ClientHarness.await("an RTX packet", T, () -> lost.rec.of(lost.trackId).stream().anyMatch(Received::rtx));
    Received rtx = lost.rec.of(lost.trackId).stream().filter(Received::rtx).findFirst().orElseThrow();
    assertThat(rtx.ssrc()).isEqualTo(lost.track.rtxSsrc());
    assertThat(rtx.payloadType()).isEqualTo(lost.track.rtxPayloadType());
    assertThat(rtx.rtxOriginalSeq()).isEqualTo(lost.seq);
    assertThat(rtx.index()).as("the lost packet's payload").isEqualTo(lost.index);
  }

  /**
   * A subscriber whose receiver report says its link loses 5 % gets each repair twice: a browser
   * that receives only cannot measure its round trip and asks again only after 100 ms.
   */
  @Test
  void onALinkThatReportsLossEveryRepairIsSentTwice() throws Exception {
    Lost lost = subscribeLosingOnePacket(true, 13);
    ClientHarness.await("two RTX packets", T, () -> lost.rec.of(lost.trackId).stream().filter(Received::rtx).count() == 2);
    assertThat(lost.rec.of(lost.trackId).stream().filter(Received::rtx))
        .allMatch(r -> r.rtxOriginalSeq() == lost.seq && r.index() == lost.index)
        .extracting(Received::seq).doesNotHaveDuplicates();
  }

  @Test
  void nackWithoutRtxIsAnsweredWithTheLostPacketItself() throws Exception {
    Lost lost = subscribeLosingOnePacket(false);
    ClientHarness.await("the lost packet", T,
        () -> lost.rec.media(lost.trackId).stream().anyMatch(r -> r.seq() == lost.seq));
    Received again = lost.rec.media(lost.trackId).stream().filter(r -> r.seq() == lost.seq).findFirst().orElseThrow();
    assertThat(again.ssrc()).isEqualTo(lost.track.ssrc());
    assertThat(again.index()).isEqualTo(lost.index);
    assertThat(lost.rec.of(lost.trackId)).noneMatch(Received::rtx);
  }

  record Lost(Recorder rec, String trackId, RemoteTrack track, int seq, long index) {}

  /**
   * A subscriber whose network loses the 11th video packet; it NACKs the gap it sees. Returns the
   * lost packet's sequence number and the sender's index of it.
   */
  private Lost subscribeLosingOnePacket(boolean rtx) throws Exception {
    return subscribeLosingOnePacket(rtx, 0);
  }

  /** The same, after a receiver report of {@code fractionLost} (/256) for the track. */
  private Lost subscribeLosingOnePacket(boolean rtx, int fractionLost) throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    SyntheticMedia.start(pub, cam, null, 600_000, 30);
    FanoutClient sub = h.join("r", "sub");
    sub.acceptRtx(rtx);
    Recorder rec = new Recorder();
    sub.onRtp(rec);
    int[] seen = {0};
    int[] dropped = {-1};
    sub.subscribeTransport().simulateLoss((ssrc, seq) -> {
      if (++seen[0] == 11) {
        dropped[0] = seq;
        return true;
      }
      return false;
    });
    RemoteTrack t = sub.subscribe(cam.trackId());
    assertThat(t.rtxSsrc() != 0).isEqualTo(rtx);
    ClientHarness.await("30 video packets", T, () -> rec.media(cam.trackId()).size() >= 30);
    List<Received> got = rec.media(cam.trackId());
    int gap = -1;
    for (int i = 1; i < got.size(); i++) {
      if (got.get(i).seq() != ((got.get(i - 1).seq() + 1) & 0xffff)) {
        gap = i;
        break;
      }
    }
    assertThat(gap).as("the loss shows as a gap").isPositive();
    int seq = (got.get(gap - 1).seq() + 1) & 0xffff;
    assertThat(seq).isEqualTo(dropped[0]);
    if (fractionLost > 0) {
      assertThat(sub.sendReceiverReport(t, fractionLost)).isTrue();
    }
    assertThat(sub.sendNack(t, List.of(seq))).isTrue();
    return new Lost(rec, cam.trackId(), t, seq, got.get(gap - 1).index() + 1);
  }

  @Test
  void newSubscriberMakesTheServerAskThePublisherForAKeyframeAndRequestsAreThrottled() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    List<Long> plis = java.util.Collections.synchronizedList(new ArrayList<>());
    pub.onPublishRtcp((buf, off, len) -> {
      for (var p : dev.fanout.rtp.rtcp.RtcpCompound.parse(buf, off, len)) {
        if (p instanceof dev.fanout.rtp.rtcp.PictureLossIndication pli && pli.mediaSsrc() == cam.ssrc()) {
          plis.add(System.nanoTime());
        }
      }
    });
    pub.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
      Thread.sleep(700);
      int before = plis.size();
      FanoutClient sub = h.join("r", "sub");
      Recorder rec = new Recorder();
      sub.onRtp(rec);
      RemoteTrack t = sub.subscribe(cam.trackId());
      ClientHarness.await("a PLI after the subscription", T, () -> plis.size() > before);
      ClientHarness.await("video", T, () -> !rec.media(cam.trackId()).isEmpty());
      assertThat(rec.media(cam.trackId()).get(0).keyframe()).isTrue();

      // 30 PLIs in 1.5 s from the subscriber reach the publisher at most once per 500 ms.
      Thread.sleep(600);
      int start = plis.size();
      long t0 = System.nanoTime();
      for (int i = 0; i < 30; i++) {
        sub.requestKeyframe(t);
        Thread.sleep(50);
      }
      Thread.sleep(600);
      List<Long> window = new ArrayList<>(plis.subList(start, plis.size()));
      assertThat(window).as("PLIs forwarded").hasSizeBetween(2, 5);
      for (int i = 1; i < window.size(); i++) {
        assertThat(window.get(i) - window.get(i - 1)).as("PLI spacing (ns)").isGreaterThan(450_000_000L);
      }
      assertThat(window.get(0) - t0).isLessThan(1_000_000_000L);
    }
  }

  @Test
  void mutedPublisherPausesAndTheStreamResumesWithoutAGap() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
      FanoutClient sub = h.join("r", "sub");
      ClientHarness.Events events = new ClientHarness.Events();
      sub.onEvent(events);
      Recorder rec = new Recorder();
      sub.onRtp(rec);
      RemoteTrack t = sub.subscribe(cam.trackId());
      ClientHarness.await("video", T, () -> rec.media(cam.trackId()).size() > 20);
      pub.signaling().call("mute", params(cam.trackId(), true), T);
      assertThat(events.next("track-muted").path("muted").asBoolean()).isTrue();
      media.pause(true);
      Thread.sleep(300);
      int before = rec.media(cam.trackId()).size();
      Thread.sleep(700);
      assertThat(rec.media(cam.trackId())).as("nothing while muted").hasSize(before);
      media.pause(false);
      pub.signaling().call("mute", params(cam.trackId(), false), T);
      assertThat(events.next("track-muted").path("muted").asBoolean()).isFalse();
      ClientHarness.await("video again", T, () -> rec.media(cam.trackId()).size() > before + 20);
      List<Received> all = rec.media(cam.trackId());
      assertGapless(all, t.ssrc());
      Received last = all.get(before - 1);
      Received next = all.get(before);
      long ticks = (next.timestamp() - last.timestamp()) & 0xffffffffL;
      long nanos = next.nanos() - last.nanos();
      assertThat(ticks).as("timestamp advance across the pause").isBetween(nanos * 9 / 100_000 / 2, nanos * 9 / 100_000 * 2);
    }
  }

  @Test
  void republishedTrackReachesTheSubscriberAgainOnTheSameConnectionFromAKeyframe() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
      FanoutClient sub = h.join("r", "sub");
      ClientHarness.Events events = new ClientHarness.Events();
      sub.onEvent(events);
      Recorder rec = new Recorder();
      sub.onRtp(rec);
      String first = cam.trackId();
      RemoteTrack a = sub.subscribe(first);
      ClientHarness.await("video", T, () -> rec.media(first).size() > 20);

      pub.unpublish(cam);
      assertThat(events.next("track-unpublished").path("trackId").asText()).isEqualTo(first);
      Thread.sleep(300);
      int afterUnpublish = rec.media(first).size();
      Thread.sleep(300);
      assertThat(rec.media(first)).as("nothing after unpublish").hasSize(afterUnpublish);

      pub.publish(cam);
      String second = cam.trackId();
      assertThat(second).isNotEqualTo(first);
      assertThat(events.next("track-published").path("track").path("trackId").asText()).isEqualTo(second);
      RemoteTrack b = sub.subscribe(second);
      ClientHarness.await("video of the republished track", T, () -> rec.media(second).size() > 20);

      assertThat(b.mid()).isNotEqualTo(a.mid());
      assertThat(sub.subscribeTransport().isConnected()).as("the subscribe connection survived").isTrue();
      assertGapless(rec.media(first), a.ssrc());
      assertGapless(rec.media(second), b.ssrc());
      assertThat(rec.media(second).get(0).keyframe()).isTrue();
      assertThat(h.server.health().get("participants")).isEqualTo(2L);
    }
  }

  @Test
  void leavingOrDisconnectingReleasesTheParticipantAndOthersKeepReceiving() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    ClientHarness.Events pubEvents = new ClientHarness.Events();
    pub.onEvent(pubEvents);
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
      int alone = transports();
      List<FanoutClient> subs = new ArrayList<>();
      List<Recorder> recs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        FanoutClient sub = h.join("r", "sub" + i);
        Recorder rec = new Recorder();
        sub.onRtp(rec);
        sub.subscribe(cam.trackId());
        subs.add(sub);
        recs.add(rec);
      }
      ClientHarness.await("video everywhere", T, () -> recs.stream().allMatch(r -> r.media(cam.trackId()).size() > 10));
      int transports = transports();

      subs.get(0).leave();
      var left = pubEvents.next("participant-left");
      assertThat(left.path("identity").asText()).isEqualTo("sub0");
      assertThat(left.path("reason").asText()).isEqualTo("left");
      subs.get(1).signaling().abort();
      left = pubEvents.next("participant-left");
      assertThat(left.path("identity").asText()).isEqualTo("sub1");
      assertThat(left.path("reason").asText()).isEqualTo("disconnected");
      int perSubscriber = (transports - alone) / 3;
      assertThat(perSubscriber).isPositive();
      ClientHarness.await("two participants' transports released", T,
          () -> transports() == alone + perSubscriber);
      assertThat(h.server.health().get("participants")).isEqualTo(2L);

      int received = recs.get(2).media(cam.trackId()).size();
      ClientHarness.await("the remaining subscriber still receives", T,
          () -> recs.get(2).media(cam.trackId()).size() > received + 30);
      assertGapless(recs.get(2).media(cam.trackId()), subs.get(2).subscriptions().get(0).ssrc());
    }
    pub.close();
    ClientHarness.await("the room emptied", T, () -> (Long) h.server.health().get("participants") == 1L);
  }

  private int transports() {
    @SuppressWarnings("unchecked")
    var media = (java.util.Map<String, Object>) h.server.health().get("media");
    return ((Number) media.get("transports")).intValue();
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode params(String trackId, boolean muted) {
    var p = dev.fanout.client.SignalingClient.JSON.createObjectNode();
    p.put("trackId", trackId);
    p.put("muted", muted);
    return p;
  }

  /** One SSRC, sequence numbers +1 each, and the sender's packet indexes +1 each (nothing lost). */
  static void assertGapless(List<Received> packets, int ssrc) {
    for (int i = 1; i < packets.size(); i++) {
      Received a = packets.get(i - 1);
      Received b = packets.get(i);
      assertThat(b.ssrc()).isEqualTo(ssrc);
      assertThat(b.seq()).as("seq after %d", a.seq()).isEqualTo((a.seq() + 1) & 0xffff);
      assertThat(b.index()).as("sender index after %d", a.index()).isEqualTo(a.index() + 1);
    }
  }
}
