package dev.fanout.server.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts open HTTP/WebSocket connections, all together and per client address, and refuses
 * those past either cap before anything of theirs is read. An IPv6 client is counted by its /64,
 * since one host commonly owns a whole /64. Thread-safe: connections open and close on every
 * event loop.
 */
public final class ConnectionLimits {
  /** What {@link #admit} decides: a {@link Ticket} or a {@link Refusal}. */
  public sealed interface Admission permits Ticket, Refusal {}

  /** Why a connection was refused: the HTTP status and the body's code and message. */
  public record Refusal(int status, String code, String message) implements Admission {}

  private final int maxConnections;
  private final int maxPerAddress;
  /**
   * Refused connections kept open at once, each for a moment after its answer; past this, one is
   * closed as soon as its answer is written.
   */
  public static final int MAX_LINGERING = 256;

  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger lingering = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final ConcurrentHashMap<AddressKey, AtomicInteger> perAddress = new ConcurrentHashMap<>();

  /**
   * @param maxConnections open connections, all addresses together
   * @param maxPerAddress open connections from one address (IPv6: one /64)
   */
  public ConnectionLimits(int maxConnections, int maxPerAddress) {
    if (maxConnections < 1 || maxPerAddress < 1) {
      throw new IllegalArgumentException("connection caps must be at least 1");
    }
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
  }

  /** A handle on one admitted connection; {@link #release} it exactly once when it closes. */
  public final class Ticket implements Admission {
    private final AddressKey key;
    private boolean released;

    private Ticket(AddressKey key) {
      this.key = key;
    }

    /** Gives the connection's places back. Idempotent. */
    public synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      open.decrementAndGet();
      if (key != null) {
        perAddress.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
    }
  }

  /**
   * Takes a place for a new connection from {@code remote}: returns a {@link Ticket}, or a
   * {@link Refusal} when either cap is reached.
   */
  public Admission admit(SocketAddress remote) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refused.incrementAndGet();
      return new Refusal(503, "TOO_MANY_CONNECTIONS",
          "the server has its maximum of " + maxConnections + " open connections; retry later");
    }
    AddressKey key = AddressKey.of(remote);
    if (key != null) {
      boolean[] over = new boolean[1];
      // compute() runs atomically per key, so two racing connections cannot both take the last place.
      perAddress.compute(key, (k, n) -> {
        AtomicInteger count = n == null ? new AtomicInteger() : n;
        if (count.get() >= maxPerAddress) {
          over[0] = true;
        } else {
          count.incrementAndGet();
        }
        return count.get() == 0 ? null : count;
      });
      if (over[0]) {
        open.decrementAndGet();
        refused.incrementAndGet();
        return new Refusal(429, "TOO_MANY_CONNECTIONS",
            "your address has its maximum of " + maxPerAddress + " open connections; close some first");
      }
    }
    return new Ticket(key);
  }

  /** Takes one of the {@link #MAX_LINGERING} places of refused connections; false when none is left. */
  public boolean tryLinger() {
    if (lingering.incrementAndGet() > MAX_LINGERING) {
      lingering.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives a lingering place back. */
  public void endLinger() {
    lingering.decrementAndGet();
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  /** Connections refused since the start. */
  public long refused() {
    return refused.get();
  }

  public int maxConnections() {
    return maxConnections;
  }

  public int maxPerAddress() {
    return maxPerAddress;
  }

  /** An IPv4 address, or the first 64 bits of an IPv6 address. */
  private record AddressKey(byte[] bytes) {
    static AddressKey of(SocketAddress remote) {
      if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
        return null;
      }
      InetAddress a = inet.getAddress();
      byte[] b = a.getAddress();
      return new AddressKey(a instanceof Inet6Address ? Arrays.copyOf(b, 8) : b);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AddressKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return Arrays.toString(bytes);
    }
  }
}
