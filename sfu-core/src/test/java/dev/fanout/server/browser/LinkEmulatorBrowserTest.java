package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.ClientContext;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.testkit.link.LinkEmulator;
import dev.fanout.testkit.link.LinkStats;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

/**
 * Chromium's peer connections through the test kit's link emulator: the harness points the
 * server's candidates at the relay, so a page's media crosses an emulated network while the SDK
 * and the server know nothing of it.
 */
class LinkEmulatorBrowserTest extends BrowserTestBase {
  private static final long LIMIT = 300_000;
  private static final long SOURCE = 1_000_000;

  private static BrowserPage subscriber(String room, String identity, LinkEmulator link) {
    BrowserPage page = page();
    if (link != null) {
      routeMedia(page, link);
    }
    page.run("H.client('s'); H.autoSubscribe('s'); await H.join('s', arguments[0], arguments[1])", room, identity);
    return page;
  }

  @Test
  void aPublishersMediaCrossesTheRelayAndReachesTheSubscriberAsMovingVideo() throws Exception {
    try (LinkEmulator link = linkEmulator(31)) {
      String room = newRoom();
      BrowserPage bob = subscriber(room, "bob", null);
      BrowserPage alice = page();
      routeMedia(alice, link);
      alice.run("await H.join('p', arguments[0], arguments[1]);"
          + "H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.p.publish(H.tracks.cam)", room, "alice");
      assertThat(alice.number("return H.routedCandidates()")).as("candidates pointed at the relay").isPositive();
      bob.run("await H.waitEvent('s', 'subscribed', 'alice', 1, 10000)");
      Map<String, Object> frames = bob.object(
          "const v = await H.waitFor(() => { const e = H.media('s', 'alice', 'video'); return e && e.videoWidth > 0 && e; },"
              + "  15000, 'video of alice');"
              + "return await H.framesUntil(v, 31, 20000);");
      assertThat(((Number) frames.get("presented")).intValue()).as("frames at bob: %s", frames).isGreaterThanOrEqualTo(31);
      // Everything alice sent crossed the relay: its payload bytes so far are at most what the
      // relay forwarded (which also counts headers, SRTP tags, STUN, DTLS and RTCP).
      long sent = ((Number) alice.object("return await H.tracks.cam.getStats()").get("bytesSent")).longValue();
      assertThat(sent).isPositive();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (link.up().stats().bytesForwarded() < sent && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      LinkStats up = link.up().stats();
      assertThat(up.bytesForwarded()).as("bytes through the relay: %s; alice sent %d", up, sent).isGreaterThanOrEqualTo(sent);
      assertThat(up.packetsForwarded()).as("at least a packet per frame bob showed").isGreaterThanOrEqualTo(31);
      assertThat(link.down().stats().packetsForwarded()).as("the server's answers to alice").isPositive();
      assertThat(link.clients()).isNotEmpty();
    }
  }

  /**
   * The publisher is the Java client sending a steady 1 Mbit/s of synthetic video, so the only
   * thing that changes the subscriber's bitrate is its emulated downlink (a browser publisher's
   * bitrate follows its own bandwidth estimate and would blur the picture).
   */
  @Test
  void aDownlinkRateLimitHoldsTheSubscribersReceivedBitrateUnderItAndLiftingItRestoresTheRate() throws Exception {
    try (LinkEmulator link = linkEmulator(32);
        ClientContext context = ClientContext.create();
        FanoutClient alice = FanoutClient.connect(
            URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc"), context)) {
      String room = newRoom();
      BrowserPage bob = subscriber(room, "bob", link);
      alice.join(server.tokens().mint(KEY, new AccessTokens.Grant(room, "alice", "alice", true, false, null),
          Duration.ofMinutes(5)));
      LocalTrack cam = LocalTrack.video("camera");
      alice.publish(cam);
      try (SyntheticMedia media = SyntheticMedia.start(alice, cam, null, SOURCE, 30)) {
        bob.run("await H.waitEvent('s', 'subscribed', 'alice', 1, 10000)");
        assertThat(bob.number("return H.routedCandidates()")).as("candidates pointed at the relay").isPositive();

        List<Double> free = bitrateUntil(bob, "above " + LIMIT * 2 + " without a limit", b -> b > LIMIT * 2, 30, 1);
        // 300 kbit/s with about 400 ms of queue.
        link.down().rate(LIMIT).queueLimit(1000, LIMIT / 8 * 4 / 10);
        List<Double> limited = bitrateUntil(bob, "under " + LIMIT + " with the limit",
            b -> b < LIMIT * 1.1 && b > LIMIT * 0.3, 30, 2);
        assertThat(link.down().stats().droppedQueueFull()).as("the queue overflowed").isPositive();
        link.down().rate(0);
        List<Double> lifted = bitrateUntil(bob, "above " + LIMIT * 2 + " once the limit is lifted", b -> b > LIMIT * 2, 30, 1);
        System.out.printf("received bit/s: unlimited %s, limited to %d %s, lifted %s; %s%n", free, LIMIT, limited, lifted,
            link.down().stats());
      }
    }
  }

  /**
   * Measures bob's received video bitrate over successive 2-second windows until {@code runs}
   * windows in a row satisfy {@code ok}; returns them. Fails after {@code seconds} with every
   * measurement.
   */
  private static List<Double> bitrateUntil(BrowserPage bob, String what, DoublePredicate ok, int seconds, int runs) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    List<Long> seen = new ArrayList<>();
    List<Double> run = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      double b = bob.number("return await H.receiveBitrate('s', 'alice', 2000)");
      seen.add(Math.round(b));
      if (ok.test(b)) {
        run.add(b);
        if (run.size() == runs) {
          return run;
        }
      } else {
        run.clear();
      }
    }
    throw new AssertionError("bob's bitrate not " + what + " within " + seconds + " s; 2-s windows (bit/s): " + seen);
  }
}
