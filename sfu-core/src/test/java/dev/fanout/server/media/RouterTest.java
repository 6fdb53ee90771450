package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.ice.IceMux;
import dev.fanout.rtp.PacketClass;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router driven directly, as WHIP, a relay or a recorder will drive it: peers with no
 * signaling connection publish, subscribe and receive real SRTP, and everything the room should
 * tell its participants arrives through {@link Router.Listener}.
 */
class RouterTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
  private static final int ALICE_SSRC = 0x0a11ce;
  private static final String UFRAG = "rtst";
  private static final String PASSWORD = "routertestpasswordrouter";
  private static final String FINGERPRINT = "a=fingerprint:sha-256 "
      + "0D:C3:A1:91:01:AA:A7:D3:5B:46:18:B5:CE:89:B7:13:1D:3D:E0:DD:57:A8:C6:9D:79:51:2B:A3:39:82:F5:FE";
  /**
   * One Opus section with the MID extension, as a browser offers a microphone; its mid is not one
   * a subscribe offer would use, so a forwarded publisher mid cannot pass for the subscriber's.
   */
  private static final String MIC_OFFER = String.join("\r\n",
      "v=0", "o=- 7 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE pub",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
      "a=ice-ufrag:" + UFRAG, "a=ice-pwd:" + PASSWORD, FINGERPRINT, "a=setup:actpass", "a=mid:pub",
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=sendonly", "a=msid:s mic", "a=rtcp-mux",
      "a=rtpmap:111 opus/48000/2", "a=ssrc:" + ALICE_SSRC + " cname:alice", "");

  private EmbeddedChannel port;
  private DtlsStack dtls;
  private Router router;
  private SrtpKeys keys;
  private final List<String> events = new ArrayList<>();
  private final Map<Peer, Router.SubscriberOffer> offers = new HashMap<>();

  @BeforeEach
  void open() {
    port = new EmbeddedChannel();
    IceMux mux = new IceMux();
    mux.attach(port);
    dtls = new DtlsStack(DtlsCertificate.generate());
    MediaEngine engine = new MediaEngine(mux, dtls, List.of("127.0.0.1"), 10000);
    router = new Router(engine, port.eventLoop(), "r", new Router.Listener() {
      @Override
      public void trackPublished(Producer t) {
        events.add("published " + t.publisher() + " " + t.source());
      }

      @Override
      public void trackUnpublished(Producer t) {
        events.add("unpublished " + t.publisher() + " " + t.source());
      }

      @Override
      public void trackMuted(Producer t) {
        events.add("muted " + t.muted());
      }

      @Override
      public void subscriberOffer(Peer peer, Router.SubscriberOffer offer) {
        offers.put(peer, offer);
      }

      @Override
      public void peerFailed(Peer peer, String reason) {
        events.add("failed " + peer.identity());
      }
    });
    byte[] material = new byte[SrtpProfile.AEAD_AES_128_GCM.keyingMaterialLength()];
    Arrays.fill(material, (byte) 5);
    keys = SrtpKeys.fromDtlsExport(SrtpProfile.AEAD_AES_128_GCM, material, false);
  }

  @AfterEach
  void close() {
    router.close();
    dtls.close();
    port.finishAndReleaseAll();
  }

  @Test
  void peersWithoutASignalingConnectionPublishSubscribeAndReceiveEachPacketRewrittenForTheSubscriber()
      throws Exception {
    Peer alice = router.addPeer("alice");
    Producer mic = publishMic(alice);
    assertThat(events).containsExactly("published alice microphone");
    assertThat(router.tracks()).containsExactly(mic);

    Peer bob = router.addPeer("bob");
    String mid = router.subscribe(bob, mic.trackId());
    port.runPendingTasks();
    Router.SubscriberOffer offer = offers.get(bob);
    assertThat(offer.tracks()).containsExactly(new Router.OfferedTrack(mid, mic.trackId(), "alice"));
    router.subscriberAnswer(bob, offer.revision(), answer(offer.sdp()));
    List<byte[]> received = new ArrayList<>();
    bob.subscribeTransport().connectWithoutHandshake(keys, (buf, off, len) -> received.add(Arrays.copyOfRange(buf, off, off + len)));
    alice.publishTransport().connectWithoutHandshake(keys, (buf, off, len) -> true);

    SrtpSession aliceSide = SrtpSession.create(keys.reversed());
    SrtpSession bobSide = SrtpSession.create(keys.reversed());
    try {
      for (int seq = 100; seq < 103; seq++) {
        byte[] packet = new byte[200];
        int n = new RtpWriter().payloadType(111).sequenceNumber(seq).timestamp(seq * 960L).ssrc(ALICE_SSRC)
            .extension(4, "pub".getBytes(StandardCharsets.US_ASCII)).payload(new byte[] {1, 2, 3, (byte) seq})
            .write(packet, 0);
        PacketBuffer p = new PacketBuffer().wrap(packet, 0, n, packet.length);
        assertThat(aliceSide.protectRtp(p)).isEqualTo(SrtpStatus.OK);
        alice.publishTransport().onDatagram(PacketClass.RTP_RTCP,
            Unpooled.wrappedBuffer(Arrays.copyOf(packet, p.getLength())), PEER);
      }
      assertThat(received).hasSize(3);
      int bobSsrc = (int) ssrcOf(offer.sdp(), mid);
      for (int i = 0; i < 3; i++) {
        byte[] d = received.get(i);
        PacketBuffer p = new PacketBuffer().wrap(d, 0, d.length);
        assertThat(bobSide.unprotectRtp(p)).isEqualTo(SrtpStatus.OK);
        RtpPacket rtp = new RtpPacket().wrap(d, 0, p.getLength());
        assertThat(rtp.ssrc()).as("the subscriber's own SSRC").isEqualTo(bobSsrc);
        assertThat(new String(d, rtp.extensionOffset(offerMidId(offer.sdp())), rtp.extensionLength(offerMidId(offer.sdp())),
            StandardCharsets.US_ASCII)).as("the subscriber's own mid").isEqualTo(mid);
        assertThat(d[rtp.payloadOffset() + 3]).isEqualTo((byte) (100 + i));
      }
    } finally {
      aliceSide.close();
      bobSide.close();
    }
  }

  @Test
  void endingATrackRemovesItFromItsSubscribersAndReoffersThem() throws Exception {
    Peer alice = router.addPeer("alice");
    Producer mic = publishMic(alice);
    Peer bob = router.addPeer("bob");
    router.subscribe(bob, mic.trackId());
    port.runPendingTasks();
    router.subscriberAnswer(bob, offers.get(bob).revision(), answer(offers.get(bob).sdp()));

    router.unpublish(alice, List.of(mic.trackId()));
    port.runPendingTasks();

    assertThat(events).containsExactly("published alice microphone", "unpublished alice microphone");
    assertThat(router.track(mic.trackId())).isNull();
    assertThat(bob.subscriptions()).isEmpty();
    assertThat(offers.get(bob).revision()).as("a new offer without the section").isEqualTo(2);
    assertThat(offers.get(bob).tracks()).isEmpty();
  }

  @Test
  void removingAPeerEndsItsTracksAndAddingTheSameIdentityAgainReplacesIt() throws Exception {
    Peer alice = router.addPeer("alice");
    publishMic(alice);
    Peer again = router.addPeer("alice");
    assertThat(events).containsExactly("published alice microphone", "unpublished alice microphone");
    assertThat(router.peer("alice")).isSameAs(again);
    assertThat(router.tracks()).isEmpty();
    assertThatThrownBy(() -> publishMic(alice)).isInstanceOf(MediaException.class)
        .extracting(e -> ((MediaException) e).reason()).isEqualTo(MediaException.Reason.INVALID_STATE);

    router.removePeer(again);
    assertThat(router.peer("alice")).isNull();
  }

  @Test
  void refusedRequestsChangeNothing() throws Exception {
    Peer alice = router.addPeer("alice");
    Peer bob = router.addPeer("bob");
    Producer mic = publishMic(alice);

    assertRefused(() -> router.subscribe(alice, mic.trackId()), MediaException.Reason.INVALID_PARAMS);
    assertRefused(() -> router.subscribe(bob, "TR_nothing"), MediaException.Reason.TRACK_NOT_FOUND);
    assertRefused(() -> router.unpublish(bob, List.of(mic.trackId())), MediaException.Reason.TRACK_NOT_FOUND);
    assertRefused(() -> router.unpublish(alice, List.of(mic.trackId(), "TR_nothing")),
        MediaException.Reason.TRACK_NOT_FOUND);
    assertRefused(() -> router.unsubscribe(bob, mic.trackId()), MediaException.Reason.TRACK_NOT_FOUND);
    assertRefused(() -> router.subscriberAnswer(bob, 1, "v=0"), MediaException.Reason.INVALID_STATE);
    assertRefused(() -> router.publish(bob, "not sdp", List.of(new Router.TrackRequest("pub", "audio", "microphone", false))),
        MediaException.Reason.INVALID_SDP);
    assertRefused(() -> router.publish(bob, MIC_OFFER, List.of(new Router.TrackRequest("pub", "video", "camera", false))),
        MediaException.Reason.INVALID_PARAMS);

    assertThat(router.tracks()).containsExactly(mic);
    assertThat(bob.published()).isEmpty();
    assertThat(events).containsExactly("published alice microphone");
  }

  @Test
  void muteIsReportedOnlyWhenItChanges() throws Exception {
    Peer alice = router.addPeer("alice");
    Producer mic = publishMic(alice);
    router.setMuted(alice, mic.trackId(), true);
    router.setMuted(alice, mic.trackId(), true);
    router.setMuted(alice, mic.trackId(), false);
    assertThat(events).containsExactly("published alice microphone", "muted true", "muted false");
  }

  private Producer publishMic(Peer peer) throws MediaException {
    return router.publish(peer, MIC_OFFER, List.of(new Router.TrackRequest("pub", "audio", "microphone", false)))
        .created().get(0);
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void assertRefused(Call call, MediaException.Reason reason) {
    assertThatThrownBy(call::run).isInstanceOf(MediaException.class)
        .extracting(e -> ((MediaException) e).reason()).isEqualTo(reason);
  }

  /** The answer of a receive-only peer that accepts every section. */
  private static String answer(String offer) {
    StringBuilder sdp = new StringBuilder();
    for (String line : offer.split("\r\n")) {
      if (line.startsWith("a=ice-lite") || line.startsWith("a=candidate") || line.startsWith("a=ssrc")
          || line.startsWith("a=msid")) {
        continue;
      }
      if (line.startsWith("a=ice-ufrag:")) {
        line = "a=ice-ufrag:" + UFRAG;
      } else if (line.startsWith("a=ice-pwd:")) {
        line = "a=ice-pwd:" + PASSWORD;
      } else if (line.startsWith("a=fingerprint:")) {
        line = FINGERPRINT;
      } else if (line.equals("a=setup:actpass")) {
        line = "a=setup:active";
      } else if (line.equals("a=sendonly")) {
        line = "a=recvonly";
      }
      sdp.append(line).append("\r\n");
    }
    return sdp.toString();
  }

  /** The first SSRC of the section {@code mid} of an offer. */
  private static long ssrcOf(String sdp, String mid) {
    boolean inSection = false;
    for (String line : sdp.split("\r\n")) {
      if (line.startsWith("a=mid:")) {
        inSection = line.equals("a=mid:" + mid);
      } else if (inSection && line.startsWith("a=ssrc:")) {
        return Long.parseLong(line.substring(7, line.indexOf(' ')));
      }
    }
    throw new AssertionError("no SSRC for mid " + mid + " in\n" + sdp);
  }

  /** The id the offer gives the MID extension. */
  private static int offerMidId(String sdp) {
    for (String line : sdp.split("\r\n")) {
      if (line.startsWith("a=extmap:") && line.endsWith(" urn:ietf:params:rtp-hdrext:sdes:mid")) {
        return Integer.parseInt(line.substring(9, line.indexOf(' ')).split("/")[0]);
      }
    }
    throw new AssertionError("no MID extension in\n" + sdp);
  }
}
