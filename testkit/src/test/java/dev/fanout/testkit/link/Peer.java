package dev.fanout.testkit.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A plain UDP socket on loopback for the emulator's tests: it sends numbered, timestamped
 * datagrams and records every datagram it receives with its arrival time; an echoing peer sends
 * each one back to where it came from, unchanged.
 *
 * <p>Datagram layout: stream id (4 bytes), sequence number (4), send time from
 * {@link System#nanoTime()} (8), then padding to the requested size.
 */
final class Peer implements AutoCloseable {
  static final int HEADER = 16;

  /** One received datagram. */
  record Arrival(int stream, int seq, long sentNanos, long arrivedNanos, int size, InetSocketAddress from) {
    double oneWayMillis() {
      return (arrivedNanos - sentNanos) / 1e6;
    }
  }

  private final DatagramChannel channel;
  private final boolean echo;
  private final Thread reader;
  private final List<Arrival> arrivals = new ArrayList<>();
  private final ByteBuffer out = ByteBuffer.allocate(65_535);

  private Peer(boolean echo) throws IOException {
    this.echo = echo;
    channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    reader = new Thread(this::read, "peer-" + address().getPort());
    reader.setDaemon(true);
    reader.start();
  }

  /** A peer that records what it receives. */
  static Peer open() throws IOException {
    return new Peer(false);
  }

  /** A peer that records what it receives and sends it back to the sender. */
  static Peer echo() throws IOException {
    return new Peer(true);
  }

  InetSocketAddress address() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends one datagram of {@code size} bytes (at least {@link #HEADER}). */
  synchronized void send(InetSocketAddress to, int stream, int seq, int size) throws IOException {
    out.clear();
    out.putInt(stream).putInt(seq).putLong(System.nanoTime());
    while (out.position() < size) {
      out.put((byte) 0x5a);
    }
    out.flip();
    channel.send(out, to);
  }

  /** Sends raw bytes. */
  synchronized void sendRaw(InetSocketAddress to, byte[] bytes) throws IOException {
    channel.send(ByteBuffer.wrap(bytes), to);
  }

  /**
   * Sends {@code count} datagrams (sequence 0..count-1) at {@code perSecond}, each at its planned
   * time; one that is late (a busy machine) goes at once, so the count never depends on timing.
   */
  void sendPaced(InetSocketAddress to, int stream, int count, int size, double perSecond) throws IOException {
    paced(count, perSecond, seq -> {
      try {
        send(to, stream, seq, size);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  static void paced(int count, double perSecond, IntConsumer action) {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long at = start + (long) (i * 1e9 / perSecond);
      long wait = at - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      action.accept(i);
    }
  }

  List<Arrival> arrivals() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  int received() {
    synchronized (arrivals) {
      return arrivals.size();
    }
  }

  /** Waits until at least {@code n} datagrams have arrived; fails after {@code timeout}. */
  List<Arrival> await(int n, Duration timeout) throws InterruptedException {
    LinkAssertions.await("at least " + n + " datagrams at " + address() + " (have " + received() + ")", timeout,
        () -> received() >= n);
    return arrivals();
  }

  private void read() {
    ByteBuffer in = ByteBuffer.allocate(65_535);
    while (true) {
      in.clear();
      InetSocketAddress from;
      try {
        from = (InetSocketAddress) channel.receive(in);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        continue;
      }
      long now = System.nanoTime();
      in.flip();
      int size = in.remaining();
      if (size >= HEADER) {
        Arrival a = new Arrival(in.getInt(0), in.getInt(4), in.getLong(8), now, size, from);
        synchronized (arrivals) {
          arrivals.add(a);
        }
      }
      if (echo) {
        try {
          in.rewind();
          channel.send(in, from);
        } catch (IOException e) {
          // a closed socket ends the loop at the next receive
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
