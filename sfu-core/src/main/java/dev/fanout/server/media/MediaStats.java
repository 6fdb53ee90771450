package dev.fanout.server.media;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one server's media, for {@code /metrics}: bumped on the media loop at control
 * events (a subscription, a NACK, a keyframe request, a repair), never per forwarded packet, and
 * read from the scrape thread.
 */
public final class MediaStats {
  final LongAdder subscriptionsOpened = new LongAdder();
  final LongAdder subscriptionsClosed = new LongAdder();
  final LongAdder nacksFromSubscribers = new LongAdder();
  final LongAdder plisFromSubscribers = new LongAdder();
  final LongAdder firsFromSubscribers = new LongAdder();
  final LongAdder nacksToPublishers = new LongAdder();
  final LongAdder plisToPublishers = new LongAdder();
  final LongAdder repairsSent = new LongAdder();
  final LongAdder repairsReceived = new LongAdder();

  /** Down tracks open now: one per subscriber and track. */
  public long subscriptions() {
    return subscriptionsOpened.sum() - subscriptionsClosed.sum();
  }

  /** Generic NACK packets (RFC 4585 §6.2.1) subscribers sent. */
  public long nacksFromSubscribers() {
    return nacksFromSubscribers.sum();
  }

  /** PLIs (RFC 4585 §6.3.1) subscribers sent. */
  public long plisFromSubscribers() {
    return plisFromSubscribers.sum();
  }

  /** FIRs (RFC 5104 §4.3.1) subscribers sent. */
  public long firsFromSubscribers() {
    return firsFromSubscribers.sum();
  }

  /** Generic NACK packets the server sent to publishers. */
  public long nacksToPublishers() {
    return nacksToPublishers.sum();
  }

  /** PLIs the server sent to publishers. */
  public long plisToPublishers() {
    return plisToPublishers.sum();
  }

  /** Packets re-sent to subscribers in answer to their NACKs (RTX or plain). */
  public long repairsSent() {
    return repairsSent.sum();
  }

  /** Publisher retransmissions (RTX, RFC 4588) that repaired a packet. */
  public long repairsReceived() {
    return repairsReceived.sum();
  }
}
