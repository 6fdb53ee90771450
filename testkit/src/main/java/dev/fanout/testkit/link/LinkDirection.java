package dev.fanout.testkit.link;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * One direction of a {@link LinkEmulator}: {@link LinkEmulator#up()} carries clients' datagrams
 * to the target, {@link LinkEmulator#down()} the target's answers back. Its conditions can be
 * changed from any thread at any time; the change applies to the next datagram that arrives and
 * to the datagrams already queued (a new rate paces the queue from then on), while datagrams
 * already in the delay line keep the delay they drew.
 *
 * <pre>{@code
 * link.down().rate(300_000).queuePackets(50).delay(Duration.ofMillis(40)).loss(0.02);
 * }</pre>
 */
public final class LinkDirection {
  private final String name;
  private final Runnable changed;
  // The loop draws from these only; one per purpose so a loss pattern does not depend on jitter.
  final SplittableRandom lossRandom;
  final SplittableRandom jitterRandom;

  private volatile LinkConditions conditions = LinkConditions.PERFECT;

  final AtomicLong packetsIn = new AtomicLong();
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong packetsForwarded = new AtomicLong();
  final AtomicLong bytesForwarded = new AtomicLong();
  final AtomicLong lostRandom = new AtomicLong();
  final AtomicLong lostBurst = new AtomicLong();
  final AtomicLong droppedQueueFull = new AtomicLong();
  final AtomicLong droppedOther = new AtomicLong();

  LinkDirection(String name, long seed, Runnable changed) {
    this.name = name;
    this.changed = changed;
    SplittableRandom root = new SplittableRandom(seed);
    this.lossRandom = root.split();
    this.jitterRandom = root.split();
  }

  /** {@code "up"} or {@code "down"}. */
  public String name() {
    return name;
  }

  /** The conditions in force now. */
  public LinkConditions conditions() {
    return conditions;
  }

  /** Replaces every condition at once. */
  public LinkDirection set(LinkConditions next) {
    if (next == null) {
      throw new IllegalArgumentException("conditions must not be null");
    }
    synchronized (this) {
      conditions = next;
    }
    changed.run();
    return this;
  }

  /** Applies {@code change} to the conditions in force, atomically with respect to other setters. */
  public LinkDirection update(UnaryOperator<LinkConditions> change) {
    synchronized (this) {
      conditions = change.apply(conditions);
    }
    changed.run();
    return this;
  }

  /** Back to {@link LinkConditions#PERFECT}. */
  public LinkDirection reset() {
    return set(LinkConditions.PERFECT);
  }

  /** Limits the rate to {@code bitsPerSecond} of UDP payload; 0 removes the limit. */
  public LinkDirection rate(long bitsPerSecond) {
    return update(c -> c.withRate(bitsPerSecond));
  }

  /** The token bucket's size in bytes (see {@link LinkConditions#burstBytes()}). */
  public LinkDirection burst(int bytes) {
    return update(c -> c.withBurst(bytes));
  }

  /** Limits the queue in front of the rate limiter; a datagram beyond either limit is dropped. */
  public LinkDirection queueLimit(int packets, long bytes) {
    return update(c -> c.withQueueLimit(packets, bytes));
  }

  public LinkDirection queuePackets(int packets) {
    return update(c -> c.withQueueLimit(packets, c.queueBytes()));
  }

  public LinkDirection queueBytes(long bytes) {
    return update(c -> c.withQueueLimit(c.queuePackets(), bytes));
  }

  public LinkDirection delay(Duration delay) {
    return update(c -> c.withDelay(delay));
  }

  public LinkDirection jitter(Duration jitter) {
    return update(c -> c.withJitter(jitter));
  }

  /** Whether jitter may reorder datagrams (off by default). */
  public LinkDirection reorder(boolean allowed) {
    return update(c -> c.withReorder(allowed));
  }

  /** Loses each datagram with {@code probability}, independently. */
  public LinkDirection loss(double probability) {
    return update(c -> c.withLoss(probability));
  }

  /** Gilbert's burst loss: bursts start with {@code p} per datagram and end with {@code r}. */
  public LinkDirection burstLoss(double p, double r) {
    return burstLoss(LinkConditions.BurstLoss.gilbert(p, r));
  }

  /** The Gilbert–Elliott model in full; null removes it. */
  public LinkDirection burstLoss(LinkConditions.BurstLoss model) {
    return update(c -> c.withBurstLoss(model));
  }

  /** A snapshot of the counters. */
  public LinkStats stats() {
    return new LinkStats(packetsIn.get(), bytesIn.get(), packetsForwarded.get(), bytesForwarded.get(),
        lostRandom.get(), lostBurst.get(), droppedQueueFull.get(), droppedOther.get());
  }

  @Override
  public String toString() {
    return name + " " + conditions + " " + stats();
  }
}
