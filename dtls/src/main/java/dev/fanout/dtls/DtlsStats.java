package dev.fanout.dtls;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link DtlsStack}, for metrics. All counts are totals since the stack was
 * created except {@link #handshakesInProgress()}. Thread-safe.
 */
public final class DtlsStats {
  final LongAdder handshakesStarted = new LongAdder();
  final LongAdder handshakesCompleted = new LongAdder();
  final LongAdder handshakesFailed = new LongAdder();
  final LongAdder handshakeTimeouts = new LongAdder();
  final LongAdder fingerprintMismatches = new LongAdder();
  final LongAdder srtpNegotiationFailures = new LongAdder();
  final LongAdder overloadRejections = new LongAdder();
  final LongAdder handshakesEvicted = new LongAdder();
  final LongAdder alertsReceived = new LongAdder();
  final LongAdder datagramsDropped = new LongAdder();
  final LongAdder clientHellosIgnored = new LongAdder();
  final AtomicInteger handshakesInProgress = new AtomicInteger();

  public long handshakesStarted() {
    return handshakesStarted.sum();
  }

  public long handshakesCompleted() {
    return handshakesCompleted.sum();
  }

  /** Failed handshakes, all reasons (timeouts and mismatches included). */
  public long handshakesFailed() {
    return handshakesFailed.sum();
  }

  public long handshakeTimeouts() {
    return handshakeTimeouts.sum();
  }

  /** Peers whose certificate did not match the fingerprint in their SDP. */
  public long fingerprintMismatches() {
    return fingerprintMismatches.sum();
  }

  public long srtpNegotiationFailures() {
    return srtpNegotiationFailures.sum();
  }

  /**
   * Handshakes refused at once because {@link DtlsConfig#maxHandshakes()} were in progress and
   * none had run long enough to give way.
   */
  public long overloadRejections() {
    return overloadRejections.sum();
  }

  /**
   * Handshakes ended to make room for a new one: the oldest in progress, when every slot was
   * taken and it had run for {@link DtlsStack#EVICTABLE_AGE}. Counted in {@link
   * #handshakesFailed()} too.
   */
  public long handshakesEvicted() {
    return handshakesEvicted.sum();
  }

  /** Alerts received from peers (close_notify included). */
  public long alertsReceived() {
    return alertsReceived.sum();
  }

  /** Datagrams dropped: not DTLS, too large, queue full, or arriving when nothing expects them. */
  public long datagramsDropped() {
    return datagramsDropped.sum();
  }

  /** ClientHello records that arrived on an established association and were ignored. */
  public long clientHellosIgnored() {
    return clientHellosIgnored.sum();
  }

  /** Handshakes started and not yet finished. */
  public int handshakesInProgress() {
    return handshakesInProgress.get();
  }

  @Override
  public String toString() {
    return "DtlsStats[started=" + handshakesStarted() + ", completed=" + handshakesCompleted()
        + ", failed=" + handshakesFailed() + ", timeouts=" + handshakeTimeouts()
        + ", fingerprintMismatches=" + fingerprintMismatches()
        + ", srtpNegotiationFailures=" + srtpNegotiationFailures()
        + ", overloadRejections=" + overloadRejections() + ", evicted=" + handshakesEvicted()
        + ", alertsReceived=" + alertsReceived()
        + ", datagramsDropped=" + datagramsDropped()
        + ", clientHellosIgnored=" + clientHellosIgnored()
        + ", inProgress=" + handshakesInProgress() + "]";
  }
}
