package dev.fanout.ice;

/**
 * A budget for something that is cheap to ask for and expensive to grant: up to {@code burst} at
 * once, refilled at {@code perSecond}. Used on the media port's loop to bound the work and the
 * traffic that unauthenticated datagrams can cause (error replies, SRTP key derivations).
 *
 * <p>Not thread-safe: one instance belongs to one thread. {@link #tryTake} allocates nothing.
 */
public final class TokenBucket {
  private final double burst;
  private final double perNano;
  private double tokens;
  private long last;
  private boolean started;

  /**
   * @param burst most grants in a row after a quiet period (at least 1)
   * @param perSecond grants per second in the long run (above 0)
   */
  public TokenBucket(int burst, double perSecond) {
    if (burst < 1 || !(perSecond > 0)) {
      throw new IllegalArgumentException("burst " + burst + ", rate " + perSecond);
    }
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
  }

  /** Takes one token if there is one at {@code nowNanos} (a monotonic clock, e.g. {@link System#nanoTime}). */
  public boolean tryTake(long nowNanos) {
    if (started) {
      long elapsed = nowNanos - last;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * perNano);
      }
    }
    started = true;
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
