package dev.fanout.ice;

import org.slf4j.Logger;

/**
 * Logging for bad input: at most one line per interval, with the count of lines left out, so a
 * flood of garbage cannot flood the log. Used from one thread (the port's event loop).
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
    if (log.isDebugEnabled()) {
      log(false, format, a, b);
    }
  }

  void info(String format, Object a, Object b) {
    if (log.isInfoEnabled()) {
      log(true, format, a, b);
    }
  }

  private void log(boolean info, String format, Object a, Object b) {
    long now = System.nanoTime();
    if (now - last < intervalNanos) {
      suppressed++;
      return;
    }
    last = now;
    long left = suppressed;
    suppressed = 0;
    String line = left > 0 ? format + " ({} similar suppressed)" : format;
    Object[] args = left > 0 ? new Object[] {a, b, left} : new Object[] {a, b};
    if (info) {
      log.info(line, args);
    } else {
      log.debug(line, args);
    }
  }
}
