package dev.fanout.ice;

import org.slf4j.Logger;

/**
 * Debug logging for bad input: at most one line per interval, with the count of lines left out,
 * so a flood of garbage cannot flood the log. Used from one thread (the port's event loop).
 */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private long last = System.nanoTime() - Long.MAX_VALUE / 2;
  private long suppressed;

  RateLimitedLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  void debug(String format, Object a, Object b) {
    if (!log.isDebugEnabled()) {
      return;
    }
    long now = System.nanoTime();
    if (now - last < intervalNanos) {
      suppressed++;
      return;
    }
    last = now;
    if (suppressed > 0) {
      log.debug(format + " ({} similar suppressed)", a, b, suppressed);
      suppressed = 0;
    } else {
      log.debug(format, a, b);
    }
  }
}
