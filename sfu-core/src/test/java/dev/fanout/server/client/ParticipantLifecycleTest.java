package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Participants whose transport fails are removed, and nobody leaves anything behind. */
class ParticipantLifecycleTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final int CYCLES = Integer.getInteger("fanout.cycles", 1000);
  private ClientHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void participantWhoseTransportLosesConsentIsRemovedAndOthersAreTold() throws Exception {
    h = new ClientHarness(c -> c.media.consentTimeoutSeconds = 3);
    FanoutClient pub = h.join("r", "pub");
    ClientHarness.Events events = new ClientHarness.Events();
    pub.onEvent(events);
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 300_000, 15)) {
      FanoutClient sub = h.join("r", "sub");
      sub.subscribe(cam.trackId());
      // The network goes away under the subscribe connection: no close_notify, no more checks.
      long t0 = System.nanoTime();
      sub.subscribeTransport().abort();
      JsonNode left = events.next("participant-left", Duration.ofSeconds(15));
      long elapsed = System.nanoTime() - t0;
      assertThat(left.path("identity").asText()).isEqualTo("sub");
      assertThat(left.path("reason").asText()).isEqualTo("transport-failed");
      assertThat(elapsed).as("removed by consent expiry (3 s), not by anything sooner")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
      assertThat(sub.signaling().closed().get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4002);
      assertThat(h.server.health().get("participants")).isEqualTo(1L);
    }
  }

  /**
   * Joins, subscribes to a live track, publishes, and leaves (or drops the socket) a thousand
   * times: heap and live threads end where they started, and the server holds nothing of the
   * departed.
   */
  @Test
  void thousandJoinLeaveCyclesLeaveHeapAndThreadsFlat() throws Exception {
    h = new ClientHarness();
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 300_000, 15)) {
      int warmup = Math.max(1, CYCLES / 10);
      for (int i = 0; i < warmup; i++) {
        cycle(i, cam);
      }
      settle();
      long heapBefore = usedHeapAfterGc(memory);
      int threadsBefore = threads.getThreadCount();
      int transportsBefore = transports();
      long start = System.nanoTime();
      for (int i = 0; i < CYCLES; i++) {
        cycle(warmup + i, cam);
      }
      long elapsed = System.nanoTime() - start;
      settle();
      long heapAfter = usedHeapAfterGc(memory);
      int threadsAfter = threads.getThreadCount();
      System.out.printf("join/leave cycles: %d in %.1f s; heap after GC %.1f MiB -> %.1f MiB; live threads %d -> %d;"
              + " server transports %d -> %d, participants %s%n",
          CYCLES, elapsed / 1e9, heapBefore / 1048576.0, heapAfter / 1048576.0, threadsBefore, threadsAfter,
          transportsBefore, transports(), h.server.health().get("participants"));
      assertThat(h.server.health().get("participants")).isEqualTo(1L);
      assertThat(transports()).isEqualTo(transportsBefore);
      assertThat(threadsAfter).as("live threads").isLessThanOrEqualTo(threadsBefore + 2);
      // A departed participant left behind would hold two transports' buffers, DTLS and SRTP
      // state: well over 6 KiB each, so 6 MiB over 1000 cycles.
      assertThat(heapAfter - heapBefore).as("heap growth after GC (bytes)").isLessThan(6L * CYCLES << 10);
    }
  }

  private void cycle(int i, LocalTrack watched) throws Exception {
    // Not through the harness, which keeps its clients to close them at the end.
    FanoutClient c = FanoutClient.connect(h.rtcUrl(), h.context);
    c.join(h.token("r", "cycler" + i, true, true));
    c.subscribe(watched.trackId());
    c.publish(LocalTrack.audio("microphone"));
    if (i % 2 == 0) {
      c.leave();
      c.close();
    } else {
      c.signaling().abort();
      c.close();
    }
    ClientHarness.await("cycler" + i + " gone", T, () -> (Long) h.server.health().get("participants") == 1L);
  }

  /** Lets asynchronous releases (DTLS close, channel close, timers) finish. */
  private void settle() throws InterruptedException {
    ClientHarness.await("transports released", T, () -> transports() <= 2);
    Thread.sleep(1000);
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private int transports() {
    @SuppressWarnings("unchecked")
    var media = (Map<String, Object>) h.server.health().get("media");
    return ((Number) media.get("transports")).intValue();
  }
}
