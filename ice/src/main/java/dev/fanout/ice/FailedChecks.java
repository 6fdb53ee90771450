package dev.fanout.ice;

import java.net.InetSocketAddress;

/**
 * Binding requests that failed authentication, counted per remote address over one-second
 * windows, so that a source which keeps sending checks with a wrong MESSAGE-INTEGRITY stops
 * costing an HMAC each (RFC 8489 §9.1.3 makes the verification the expensive step). A fixed,
 * direct-mapped table: a flood from spoofed addresses cannot grow it, it only evicts entries,
 * which costs the throttle its memory of a source and never drops a request that would not have
 * been dropped without it. Port event loop only.
 */
final class FailedChecks {
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final InetSocketAddress[] addresses;
  private final long[] windowStarts;
  private final int[] failures;
  private final int limit;

  /**
   * @param slots table size, a power of two
   * @param limit failures a second after which an address's requests are dropped unverified
   */
  FailedChecks(int slots, int limit) {
    if (Integer.bitCount(slots) != 1 || limit < 1) {
      throw new IllegalArgumentException("slots must be a power of two and limit positive");
    }
    this.addresses = new InetSocketAddress[slots];
    this.windowStarts = new long[slots];
    this.failures = new int[slots];
    this.limit = limit;
  }

  /** Whether {@code source} failed authentication {@code limit} times in its current window. */
  boolean throttled(InetSocketAddress source, long now) {
    int i = slot(source);
    return failures[i] >= limit && now - windowStarts[i] < WINDOW_NANOS && source.equals(addresses[i]);
  }

  /** Counts one failed authentication of a request from {@code source}. */
  void failed(InetSocketAddress source, long now) {
    int i = slot(source);
    if (!source.equals(addresses[i]) || now - windowStarts[i] >= WINDOW_NANOS) {
      addresses[i] = source;
      windowStarts[i] = now;
      failures[i] = 0;
    }
    failures[i]++;
  }

  private int slot(InetSocketAddress a) {
    int h = a.hashCode();
    return (h ^ (h >>> 16)) & (addresses.length - 1);
  }
}
