package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testkit.link.LinkEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loss on either side of the server, through the test kit's link emulator: the server NACKs a
 * publisher for what its uplink lost and answers a subscriber's NACKs for what its downlink
 * lost, so the subscriber's picture does not freeze.
 */
class MediaRepairBrowserTest extends BrowserTestBase {
  private static final int RUN_MILLIS = 15_000;

  /**
   * Waits for moving video of {@code uid} at {@code page}, then watches it for {@link
   * #RUN_MILLIS}; returns the freeze time that accrued, the run's length and the stats after.
   */
  private static Map<String, Object> watch(BrowserPage page, String uid) {
    return page.object("const v = await H.video('c', arguments[0]); await H.framesUntil(v, 31, 20000);"
        + "const a = await H.inboundVideo('c', arguments[0]); const t0 = performance.now();"
        + "await H.sleep(arguments[1]); const b = await H.inboundVideo('c', arguments[0]);"
        + "return { freezeSeconds: b.freezeSeconds - a.freezeSeconds, freezes: b.freezes - a.freezes,"
        + "  seconds: (performance.now() - t0) / 1000, decoded: b.decoded - a.decoded, nacks: b.nacks, lost: b.lost,"
        + "  width: b.width }", uid, RUN_MILLIS);
  }

  private static double d(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  @Test
  void fivePercentUplinkLossIsRepairedByNacksToThePublisher() throws Exception {
    try (LinkEmulator link = linkEmulator(5)) {
      link.up().loss(0.05).delay(Duration.ofMillis(20));
      link.down().delay(Duration.ofMillis(20));
      String room = newRoom();
      BrowserPage bob = participant(room, "bob");
      BrowserPage alice = participant(room, "alice", link, null, 0);
      alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.c.publish(H.tracks.cam)");

      Map<String, Object> seen = watch(bob, "alice");
      Map<String, Object> sent = alice.object("const s = H.tracks.cam._client._senderOf(H.tracks.cam); const r = await s.getStats(); let o = {};"
          + "r.forEach(x => { if (x.type === 'outbound-rtp') o = { nacks: x.nackCount, rtx: x.retransmittedPacketsSent }; }); return o;");
      assertThat(d(sent, "nacks")).as("NACKs the publisher received: %s", sent).isPositive();
      assertThat(d(sent, "rtx")).as("packets the publisher retransmitted: %s", sent).isPositive();
      assertThat(link.up().stats().lostRandom()).as("packets the link lost").isPositive();
      assertThat(d(seen, "freezeSeconds")).as("freeze time at the subscriber: %s", seen)
          .isLessThan(0.02 * d(seen, "seconds"));
      assertThat(d(seen, "decoded")).isPositive();
    }
  }

  @Test
  void fivePercentDownlinkLossIsRepairedByRetransmissionsToTheSubscriber() throws Exception {
    try (LinkEmulator link = linkEmulator(6)) {
      link.down().loss(0.05).delay(Duration.ofMillis(20));
      link.up().delay(Duration.ofMillis(20));
      String room = newRoom();
      BrowserPage bob = participant(room, "bob", link, null, 0);
      BrowserPage alice = participant(room, "alice");
      alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.c.publish(H.tracks.cam)");

      Map<String, Object> seen = watch(bob, "alice");
      assertThat(link.down().stats().lostRandom()).as("packets the link lost").isPositive();
      assertThat(d(seen, "nacks")).as("NACKs the subscriber sent: %s", seen).isPositive();
      assertThat(d(seen, "freezeSeconds")).as("freeze time at the subscriber: %s", seen)
          .isLessThan(0.02 * d(seen, "seconds"));
      assertThat(d(seen, "decoded")).isPositive();
    }
  }
}
