package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.client.ClientHarness.Received;
import dev.fanout.server.client.ClientHarness.Recorder;
import dev.fanout.testkit.link.LinkEmulator;
import dev.fanout.testkit.link.LinkStats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java client's media through the test kit's link emulator in front of a real server: the
 * plumbing that lets tests give clients a bad network. What the server does about loss is tested
 * elsewhere.
 */
class LinkEmulatorMediaTest {
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void lossOnTheSubscribersDownlinkShowsAsSequenceGapsThatTheRelayAccountsFor() throws Exception {
    try (ClientHarness h = new ClientHarness();
        LinkEmulator link = LinkEmulator.to(h.server.mediaAddress()).seed(21).start()) {
      FanoutClient pub = h.joinVia(link.address(), "r", "pub");
      LocalTrack cam = LocalTrack.video("camera");
      pub.publish(cam);
      try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
        FanoutClient sub = h.connect();
        sub.sendMediaVia(link.address());
        sub.join(h.token("r", "sub", false, true));
        Recorder rec = new Recorder();
        sub.onRtp(rec);
        sub.subscribe(cam.trackId());
        ClientHarness.await("video through the relay", T, () -> rec.media(cam.trackId()).size() >= 30);
        assertThat(link.clients()).as("the publisher's and the subscriber's connections").hasSize(2);
        assertThat(missing(rec.media(cam.trackId()))).as("gaps on a clean link").isZero();

        LinkStats before = link.down().stats();
        link.down().loss(0.1);
        int start = rec.media(cam.trackId()).size();
        ClientHarness.await("200 packets on the lossy link", T, () -> rec.media(cam.trackId()).size() >= start + 200);
        link.down().loss(0);
        LinkStats lossy = link.down().stats().since(before);

        long gaps = missing(rec.media(cam.trackId()));
        System.out.printf("downlink loss 10%%: %d video packets missing at the subscriber, relay %s%n", gaps, lossy);
        assertThat(gaps).as("video packets the subscriber never saw").isGreaterThanOrEqualTo(5);
        // Nothing else on loopback loses packets: every gap is a datagram the relay dropped (it
        // also dropped some RTCP and STUN, so it may have dropped more).
        assertThat(gaps).isLessThanOrEqualTo(lossy.lostRandom());
        assertThat(link.up().stats().packetsForwarded()).as("the publisher's packets crossed the relay")
            .isGreaterThanOrEqualTo(rec.media(cam.trackId()).size());
        assertThat(sub.subscribeTransport().isConnected()).isTrue();
      }
    }
  }

  /** Sequence numbers missing between the first and the last packet received. */
  private static long missing(List<Received> packets) {
    long extended = 0;
    long highest = 0;
    java.util.Set<Long> seen = new java.util.HashSet<>();
    int previous = packets.get(0).seq();
    for (Received r : packets) {
      extended += (short) (r.seq() - previous);
      previous = r.seq();
      seen.add(extended);
      highest = Math.max(highest, extended);
    }
    return highest + 1 - seen.size();
  }
}
