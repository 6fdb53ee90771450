package dev.fanout.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two endpoints joined by an in-memory datagram link that can lose and reorder datagrams. Each
 * endpoint has one thread standing in for its Netty event loop: datagrams are delivered to its
 * connection there, and listeners run there.
 */
final class MemoryLink implements AutoCloseable {
  /** {@code -Dlink.trace=true} prints every datagram's record header, for debugging. */
  static final boolean TRACE = Boolean.getBoolean("link.trace");
  final End a;
  final End b;

  /**
   * @param loss probability that a datagram is dropped, per direction
   * @param maxDelayMillis each datagram is delayed uniformly in [0, maxDelayMillis], which
   *     reorders datagrams sent close together
   */
  MemoryLink(double loss, int maxDelayMillis, long seed) {
    a = new End("a", loss, maxDelayMillis, new Random(seed));
    b = new End("b", loss, maxDelayMillis, new Random(seed * 31 + 7));
    a.peer = b;
    b.peer = a;
  }

  /** A link that delivers everything, in order, at once. */
  static MemoryLink perfect() {
    return new MemoryLink(0, 0, 1);
  }

  @Override
  public void close() {
    a.loop.shutdownNow();
    b.loop.shutdownNow();
  }

  static final class End {
    final ScheduledExecutorService loop;
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();
    private final String name;
    private final double loss;
    private final int maxDelayMillis;
    private final Random random;
    volatile DtlsConnection connection;
    volatile boolean blackhole;
    End peer;

    End(String name, double loss, int maxDelayMillis, Random random) {
      this.name = name;
      this.loss = loss;
      this.maxDelayMillis = maxDelayMillis;
      this.random = random;
      this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "link-" + name);
        t.setDaemon(true);
        return t;
      });
    }

    /** Sends from this end towards the other one. */
    DatagramSender sender() {
      return this::transmit;
    }

    private void transmit(ByteBuf datagram) {
      byte[] bytes;
      try {
        bytes = ByteBufUtil.getBytes(datagram);
      } finally {
        datagram.release();
      }
      sent.incrementAndGet();
      boolean drop;
      long delay;
      synchronized (random) {
        drop = blackhole || random.nextDouble() < loss;
        delay = maxDelayMillis == 0 ? 0 : random.nextInt(maxDelayMillis + 1);
      }
      if (TRACE) {
        System.err.printf("%s -> %s%s type=%d epoch=%d len=%d msg=%d%n", name, peer.name,
            drop ? " DROP" : "", bytes[0], bytes[4], bytes.length, bytes.length > 13 ? bytes[13] : -1);
      }
      if (drop) {
        dropped.incrementAndGet();
        return;
      }
      peer.deliverLater(bytes, delay);
    }

    void deliverLater(byte[] bytes, long delayMillis) {
      if (loop.isShutdown()) {
        return;
      }
      loop.schedule(() -> deliver(bytes), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void deliver(byte[] bytes) {
      DtlsConnection c = connection;
      if (c == null) {
        // the connection object is not published yet: try again shortly
        deliverLater(bytes, 1);
        return;
      }
      c.onDatagram(bytes, 0, bytes.length);
    }

    /** Delivers a datagram to this end's connection on its event loop. */
    void inject(byte[] bytes) {
      loop.execute(() -> connection.onDatagram(bytes, 0, bytes.length));
    }
  }
}
