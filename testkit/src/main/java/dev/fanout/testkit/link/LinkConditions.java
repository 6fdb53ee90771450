package dev.fanout.testkit.link;

import java.time.Duration;

/**
 * What one direction of an emulated link does to the datagrams that cross it, in the order it
 * does it: loss at the entrance (Gilbert–Elliott bursts, then independent random loss), a FIFO
 * queue with tail drop in front of a token-bucket rate limiter, then a fixed delay with jitter.
 * Immutable; {@link LinkDirection} swaps a whole value at a time, so a datagram always sees one
 * consistent set.
 *
 * @param rateBitsPerSecond the token bucket's rate; 0 for no limit
 * @param burstBytes bytes the bucket holds: after an idle spell this much passes back to back
 *     (a datagram larger than the bucket still passes when the bucket is full)
 * @param queuePackets the queue's limit in datagrams; one more is dropped at the tail
 * @param queueBytes the queue's limit in bytes of payload
 * @param delayNanos one-way delay added after the rate limiter
 * @param jitterNanos each datagram's delay varies uniformly within ±jitter (never below zero)
 * @param reorder whether jitter may let a datagram overtake an earlier one; without it a
 *     datagram that drew a short delay waits for the one ahead, as on a single path
 * @param loss probability that a datagram is lost, independently of the others
 * @param burstLoss the two-state burst-loss model, or null for none
 */
public record LinkConditions(long rateBitsPerSecond, int burstBytes, int queuePackets, long queueBytes,
    long delayNanos, long jitterNanos, boolean reorder, double loss, BurstLoss burstLoss) {

  /** The queue limit when none is set: as many datagrams as Linux netem holds by default. */
  public static final int DEFAULT_QUEUE_PACKETS = 1000;
  /** The bucket when none is set: about one full-size datagram. */
  public static final int DEFAULT_BURST_BYTES = 1500;
  /** A link that forwards everything at once, with the default queue limit. */
  public static final LinkConditions PERFECT =
      new LinkConditions(0, DEFAULT_BURST_BYTES, DEFAULT_QUEUE_PACKETS, Long.MAX_VALUE, 0, 0, false, 0, null);

  public LinkConditions {
    if (rateBitsPerSecond < 0) {
      throw new IllegalArgumentException("rate must be 0 (unlimited) or positive, got " + rateBitsPerSecond + " bit/s");
    }
    if (burstBytes < 0) {
      throw new IllegalArgumentException("burst must not be negative, got " + burstBytes + " bytes");
    }
    if (queuePackets < 1 || queueBytes < 1) {
      throw new IllegalArgumentException("the queue must hold at least one datagram and one byte, got "
          + queuePackets + " datagrams, " + queueBytes + " bytes");
    }
    if (delayNanos < 0 || jitterNanos < 0) {
      throw new IllegalArgumentException("delay and jitter must not be negative, got delay " + delayNanos
          + " ns, jitter " + jitterNanos + " ns");
    }
    requireProbability("loss", loss);
  }

  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  public Duration jitter() {
    return Duration.ofNanos(jitterNanos);
  }

  public boolean rateLimited() {
    return rateBitsPerSecond > 0;
  }

  public LinkConditions withRate(long bitsPerSecond) {
    return new LinkConditions(bitsPerSecond, burstBytes, queuePackets, queueBytes, delayNanos, jitterNanos, reorder,
        loss, burstLoss);
  }

  public LinkConditions withBurst(int bytes) {
    return new LinkConditions(rateBitsPerSecond, bytes, queuePackets, queueBytes, delayNanos, jitterNanos, reorder,
        loss, burstLoss);
  }

  public LinkConditions withQueueLimit(int packets, long bytes) {
    return new LinkConditions(rateBitsPerSecond, burstBytes, packets, bytes, delayNanos, jitterNanos, reorder, loss,
        burstLoss);
  }

  public LinkConditions withDelay(Duration delay) {
    return new LinkConditions(rateBitsPerSecond, burstBytes, queuePackets, queueBytes, nanos("delay", delay),
        jitterNanos, reorder, loss, burstLoss);
  }

  public LinkConditions withJitter(Duration jitter) {
    return new LinkConditions(rateBitsPerSecond, burstBytes, queuePackets, queueBytes, delayNanos,
        nanos("jitter", jitter), reorder, loss, burstLoss);
  }

  public LinkConditions withReorder(boolean allowed) {
    return new LinkConditions(rateBitsPerSecond, burstBytes, queuePackets, queueBytes, delayNanos, jitterNanos,
        allowed, loss, burstLoss);
  }

  public LinkConditions withLoss(double probability) {
    return new LinkConditions(rateBitsPerSecond, burstBytes, queuePackets, queueBytes, delayNanos, jitterNanos,
        reorder, probability, burstLoss);
  }

  public LinkConditions withBurstLoss(BurstLoss model) {
    return new LinkConditions(rateBitsPerSecond, burstBytes, queuePackets, queueBytes, delayNanos, jitterNanos,
        reorder, loss, model);
  }

  private static long nanos(String what, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be zero or positive, got " + d);
    }
    return d.toNanos();
  }

  static void requireProbability(String what, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(what + " must be a probability in [0, 1], got " + p);
    }
  }

  /**
   * The Gilbert–Elliott channel: a good and a bad state, a Markov step per datagram, and a loss
   * probability in each state. With the defaults (everything lost in the bad state, nothing in
   * the good) it is Gilbert's model: losses come in runs of mean length {@code 1/r}, and the
   * long-run loss is {@code p / (p + r)}.
   *
   * @param p probability of going from good to bad at a datagram
   * @param r probability of going from bad back to good at a datagram
   * @param lossInBad probability that a datagram is lost in the bad state ({@code 1 - h})
   * @param lossInGood probability that a datagram is lost in the good state ({@code 1 - k})
   */
  public record BurstLoss(double p, double r, double lossInBad, double lossInGood) {
    public BurstLoss {
      requireProbability("p (good to bad)", p);
      requireProbability("r (bad to good)", r);
      requireProbability("loss in the bad state", lossInBad);
      requireProbability("loss in the good state", lossInGood);
      if (p + r == 0) {
        throw new IllegalArgumentException("p and r must not both be 0: the channel would never change state");
      }
    }

    /** Gilbert's model: every datagram lost in the bad state, none in the good. */
    public static BurstLoss gilbert(double p, double r) {
      return new BurstLoss(p, r, 1, 0);
    }

    /** The long-run loss probability (the chain's stationary mix of the two states). */
    public double meanLoss() {
      double bad = p / (p + r);
      return bad * lossInBad + (1 - bad) * lossInGood;
    }
  }
}
