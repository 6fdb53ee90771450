package dev.fanout.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.client.ClientContext;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SignalingClient;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.http.RawWebSocket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A participant that never reads while another makes the server send it messages as fast as it
 * can: its outgoing queue is bounded (limits.maxOutgoingBytes), it is closed with 4004 there,
 * and the server's heap does not grow with what it failed to read.
 */
class SlowReaderTest {
  /** The report's scale: 176,600 mute toggles (20 s there), +42.5 MB of heap without a bound. */
  private static final int TOGGLES = 176_600;
  private static final Duration T = Duration.ofSeconds(30);

  private FanoutServer server;
  private ClientContext context;
  private FanoutClient publisher;
  private RawWebSocket reader;

  @BeforeEach
  void start() throws Exception {
    server = FanoutServer.start(TestServers.loopbackConfig());
    assertThat(server.config().limits.maxOutgoingBytes).isEqualTo(1 << 20);
    context = ClientContext.create(1, Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    if (reader != null) {
      reader.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    context.close();
    server.close();
  }

  private String token(String identity) {
    return server.tokens().mint(TestServers.KEY,
        new AccessTokens.Grant("slow", identity, identity, true, true, null), Duration.ofMinutes(5));
  }

  @Test
  void aParticipantThatNeverReadsIsClosedWith4004AtTheQueueLimitAndTheHeapStaysFlat() throws Exception {
    int port = server.httpAddress().getPort();
    // The reader joins, then reads nothing; a small receive buffer so the server sees it at once.
    reader = RawWebSocket.open(new InetSocketAddress("127.0.0.1", port), false, 4096, null);
    reader.sendText("{\"v\":1,\"id\":1,\"method\":\"join\",\"params\":{\"token\":\"" + token("reader") + "\"}}");
    reader.awaitText("\"id\":1", T);
    // It keeps itself alive (a ping every 5 s, well within the 30 s idle timeout) but never reads.
    Thread keepAlive = new Thread(() -> {
      try {
        for (int i = 2; i < 100 && !Thread.currentThread().isInterrupted(); i++) {
          Thread.sleep(5000);
          reader.sendText("{\"v\":1,\"id\":" + i + ",\"method\":\"ping\"}");
        }
      } catch (Exception e) {
        // closed: the test is over or the server closed it
      }
    }, "reader-keep-alive");
    keepAlive.setDaemon(true);
    keepAlive.start();

    BlockingQueue<Map.Entry<String, JsonNode>> events = new LinkedBlockingQueue<>();
    publisher = FanoutClient.connect(URI.create("ws://127.0.0.1:" + port + "/rtc"), context);
    publisher.onEvent((name, data) -> {
      if (name.startsWith("participant-")) {
        events.add(Map.entry(name, data));
      }
    });
    publisher.join(token("publisher"));
    LocalTrack mic = LocalTrack.audio("microphone");
    publisher.publish(mic);

    long memoryBefore = usedMemoryAfterGc();
    // Every toggle is a track-muted event for the reader (about 100 bytes).
    SignalingClient ws = publisher.signaling();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong done = new AtomicLong();
    Thread toggler = new Thread(() -> {
      Semaphore window = new Semaphore(256);
      try {
        for (int i = 0; i < TOGGLES && failure.get() == null; i++) {
          if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no mute answered within 30 s");
          }
          CompletableFuture<JsonNode> f = ws.request("mute", SignalingClient.JSON.createObjectNode()
              .put("trackId", mic.trackId()).put("muted", i % 2 == 0));
          f.whenComplete((r, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
            done.incrementAndGet();
            window.release();
          });
        }
        window.acquire(256);
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, "toggler");
    long t0 = System.nanoTime();
    toggler.start();

    // The server gives up on the reader: the others see it leave...
    Map.Entry<String, JsonNode> left = nextEvent(events, "participant-left", toggler);
    assertThat(left.getValue().path("identity").asText()).isEqualTo("reader");
    long leftAfter = done.get();
    keepAlive.interrupt();
    // ...and the reader, once it reads again, finds the close status after what was queued.
    int status = reader.awaitClose(T);
    assertThat(status).as("the reader's close status").isEqualTo(WebSocketSignalingHandler.CLOSE_TOO_SLOW);

    toggler.join(TimeUnit.MINUTES.toMillis(5));
    assertThat(toggler.isAlive()).as("toggling finished").isFalse();
    assertThat(failure.get()).as("every mute answered").isNull();
    assertThat(done.get()).isEqualTo(TOGGLES);
    long grownKiB = (usedMemoryAfterGc() - memoryBefore) / 1024;
    System.out.printf("slow reader: closed 4004 after %d of %d toggles; %d toggles in %d ms; memory %+d KiB%n",
        leftAfter, TOGGLES, TOGGLES, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), grownKiB);
    // Unbounded, the reader's queue held every event: +42.5 MB at this scale.
    assertThat(grownKiB).as("growth of heap and buffer memory in KiB").isLessThan(16 * 1024);
  }

  /**
   * The next event of that name, waiting as long as {@code producer} runs (it makes the server
   * send) and 10 s more: the test waits for the condition, not for a fixed time.
   */
  private static Map.Entry<String, JsonNode> nextEvent(BlockingQueue<Map.Entry<String, JsonNode>> q, String name,
      Thread producer) throws InterruptedException {
    long hardDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long deadline = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, hardDeadline)) {
      Map.Entry<String, JsonNode> e = q.poll(50, TimeUnit.MILLISECONDS);
      if (e != null && e.getKey().equals(name)) {
        return e;
      }
      if (!producer.isAlive() && deadline == Long.MAX_VALUE) {
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      }
    }
    throw new AssertionError("no " + name + " while the server was made to send, nor 10 s after");
  }

  /**
   * Live heap plus the direct memory of Netty's default allocator: a queued frame is mostly
   * encoded bytes in a direct buffer, with its bookkeeping on the heap.
   */
  private static long usedMemoryAfterGc() throws InterruptedException {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    long direct = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
        ? p.metric().usedDirectMemory() : 0;
    return mx.getHeapMemoryUsage().getUsed() + direct;
  }
}
