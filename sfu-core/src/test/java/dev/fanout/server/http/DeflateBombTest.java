package dev.fanout.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.SignalingClient;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate (RFC 7692) before login: a compressed frame within the 64 KiB frame limit
 * may inflate to a thousand times that. The server must stop inflating at the message limit.
 */
class DeflateBombTest {
  private static final int LIMIT = 64 * 1024;
  private static final long BOMB_BYTES = 60L << 20;

  private FanoutServer server;

  @BeforeEach
  void start() throws Exception {
    server = FanoutServer.start(TestServers.loopbackConfig());
    assertThat(server.config().limits.maxMessageBytes).isEqualTo(LIMIT);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.httpAddress().getPort());
  }

  @Test
  void fourFramesThatInflateTo60MiBAreClosedWith1009AtTheLimitAndSignalingGoesOn() throws Exception {
    byte[] bomb = RawWebSocket.bomb(BOMB_BYTES, (byte) ' ');
    // The attack of the report: one 61 KB frame, within the frame limit, inflating to 60 MiB.
    assertThat(bomb.length).isBetween(50_000, LIMIT);

    List<RawWebSocket> attackers = new ArrayList<>();
    try (SignalingClient bystander = SignalingClient.connect(
        URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc"), Duration.ofSeconds(5))) {
      for (int i = 0; i < 4; i++) {
        RawWebSocket ws = RawWebSocket.open(address(), true, 0, null);
        assertThat(ws.compressed()).as("permessage-deflate negotiated").isTrue();
        attackers.add(ws);
      }
      // A warm-up message on each, so the allocation measured below is the bomb's alone.
      for (RawWebSocket ws : attackers) {
        ws.sendText("{\"v\":1,\"id\":0,\"method\":\"ping\"}");
        ws.awaitText("\"id\":0", Duration.ofSeconds(5));
      }
      long[] sent = new long[attackers.size()];
      long slowest = 0;
      long allocated;
      // The paranoid leak detector records a stack trace on every buffer access (the unmasking
      // alone touches each 4 bytes): its records would dwarf what is measured here. The other
      // tests of this class run with it.
      ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
      try {
        long allocatedBefore = httpThreadsAllocatedBytes();
        for (int i = 0; i < attackers.size(); i++) {
          sent[i] = System.nanoTime();
          attackers.get(i).sendFrame(0x1, true, true, bomb);
        }
        for (int i = 0; i < attackers.size(); i++) {
          int status = attackers.get(i).awaitClose(Duration.ofSeconds(10));
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent[i]);
          slowest = Math.max(slowest, millis);
          assertThat(status).as("close status of bomb %d", i).isEqualTo(1009);
        }
        allocated = httpThreadsAllocatedBytes() - allocatedBefore;
      } finally {
        ResourceLeakDetector.setLevel(level);
      }
      System.out.printf("deflate bomb: 4 x %d B frames (60 MiB each inflated) closed 1009, slowest %d ms, "
          + "HTTP threads allocated %d KiB%n", bomb.length, slowest, allocated / 1024);
      // Unbounded, each frame took 3.8 s of CPU and 60 MiB; bounded, inflating stops at 64 KiB.
      // The bound leaves room for a loaded machine, not for inflating: 60 MiB takes seconds.
      assertThat(slowest).as("ms from sending a bomb to its 1009").isLessThan(1000);
      // Per bomb: its frame read, at most the limit (and a little) inflated, the close frame and
      // bookkeeping. Inflating one of them to its end would allocate 60 MiB.
      long bound = 4L * (bomb.length + 2L * LIMIT) + (512 << 10);
      assertThat(allocated).as("bytes allocated by the HTTP threads for 4 bombs").isLessThan(bound);

      // Everyone else is still served at once.
      long t0 = System.nanoTime();
      assertThat(bystander.call("ping", null, Duration.ofSeconds(5)).isObject()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
    } finally {
      attackers.forEach(RawWebSocket::close);
    }
  }

  @Test
  void compressedMessagesUpToTheLimitStillWorkAndOneByteMoreIs1009() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(address(), true, 0, null)) {
      assertThat(ws.compressed()).isTrue();
      String prefix = "{\"v\":1,\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"";
      String suffix = "\"}}";
      String atLimit = prefix + "x".repeat(LIMIT - prefix.length() - suffix.length()) + suffix;
      assertThat(atLimit.length()).isEqualTo(LIMIT);
      ws.sendText(atLimit);
      assertThat(ws.awaitText("\"id\":1", Duration.ofSeconds(5))).contains("\"result\"");
      // The same context goes on (context takeover): a second message is understood too.
      ws.sendText("{\"v\":1,\"id\":2,\"method\":\"ping\"}");
      assertThat(ws.awaitText("\"id\":2", Duration.ofSeconds(5))).contains("\"result\"");

      String overLimit = prefix.replace("\"id\":1", "\"id\":3") + "x".repeat(LIMIT) + suffix;
      ws.sendText(overLimit);
      assertThat(ws.awaitClose(Duration.ofSeconds(5))).isEqualTo(1009);
    }
  }

  @Test
  void invalidDeflateDataIsClosedWith1007() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(address(), true, 0, null)) {
      // Block type 3 is reserved (RFC 1951 §3.2.3): not deflate.
      ws.sendFrame(0x1, true, true, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x00});
      assertThat(ws.awaitClose(Duration.ofSeconds(5))).isEqualTo(1007);
    }
  }

  /** Bytes allocated so far by the server's HTTP event-loop threads (HotSpot's per-thread counter). */
  private static long httpThreadsAllocatedBytes() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("fanout-http")) {
        total += Math.max(0, mx.getThreadAllocatedBytes(t.getId()));
      }
    }
    return total;
  }
}
