package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.rtp.rtcp.GenericNack;
import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.testkit.link.LinkEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * When the server NACKs a publisher: at the time a request is due, whether or not a packet or
 * the 50 ms feedback tick comes then. The Java client answers no NACK, so the server keeps asking
 * for the lost packet; it publishes one packet every 200 ms, so no packet arrives in between.
 */
class UplinkNackTimingTest {
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void retriesLeaveWhenTheyAreDueNotAtTheNextPacketOrFeedbackTick() throws Exception {
    try (ClientHarness h = new ClientHarness();
        LinkEmulator link = LinkEmulator.to(h.server.mediaAddress()).seed(3).start()) {
      FanoutClient pub = h.joinVia(link.address(), "r", "pub");
      LocalTrack cam = LocalTrack.video("camera");
      Map<Integer, List<Long>> nacks = new TreeMap<>(); // sequence number -> arrival of each NACK for it
      pub.onPublishRtcp((buf, off, len) -> {
        long now = System.nanoTime();
        for (var p : RtcpCompound.parse(buf, off, len)) {
          if (p instanceof GenericNack n && n.mediaSsrc() == cam.ssrc()) {
            synchronized (nacks) {
              for (int seq : n.lost()) {
                nacks.computeIfAbsent(seq, k -> new ArrayList<>()).add(now);
              }
            }
          }
        }
      });
      pub.publish(cam);
      // 5 frames a second of one packet each
      try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 16_000, 5)) {
        ClientHarness.await("the publisher's packets at the server", T,
            () -> h.server.rooms().existing("r") != null && cam.packetsSent() >= 10);
        // Five times, the link loses everything for 250 ms (a frame or two): more losses, more
        // chances that one is timed on a machine that stalls timers now and then.
        for (int i = 0; i < 5; i++) {
          link.up().loss(1);
          Thread.sleep(250);
          link.up().loss(0);
          Thread.sleep(1_000);
        }
        ClientHarness.await("four NACKs for each lost packet", T, () -> {
          synchronized (nacks) {
            return !nacks.isEmpty() && nacks.values().stream().allMatch(t -> t.size() >= 4);
          }
        });
        // The first retry waits 100 ms (no repair has been timed), the next ones 20 ms, then 40
        // ms. On the 50 ms feedback tick those two would take at least 100 ms; this machine may
        // stall a timer now and then, so one lost packet on time is enough.
        long fastest = Long.MAX_VALUE;
        synchronized (nacks) {
          for (Map.Entry<Integer, List<Long>> e : nacks.entrySet()) {
            List<Long> at = e.getValue();
            long span = at.get(3) - at.get(1);
            System.out.printf("NACKs for lost packet %d: %d, %d, %d ms apart%n", e.getKey(),
                (at.get(1) - at.get(0)) / 1_000_000, (at.get(2) - at.get(1)) / 1_000_000, (at.get(3) - at.get(2)) / 1_000_000);
            assertThat(at.get(1) - at.get(0)).as("the first retry").isGreaterThan(50_000_000L);
            fastest = Math.min(fastest, span);
          }
        }
        assertThat(nacks).as("packets the link lost").hasSizeGreaterThanOrEqualTo(3);
        assertThat(fastest).as("second and third retry: 20 ms, then 40 ms").isBetween(55_000_000L, 85_000_000L);
      }
    }
  }
}
