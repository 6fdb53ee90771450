package dev.fanout.server.media;

import dev.fanout.rtp.rtcp.TransportCc;

/**
 * What one transport sent under each transport-wide sequence number (send time and size) and,
 * once the peer's transport-cc feedback arrives, whether and when it was received: the input of
 * a send-side bandwidth estimator (as libwebrtc's TransportFeedbackAdapter keeps). A ring indexed
 * by the sequence number; primitive arrays, nothing allocated per packet. Room's loop only.
 */
final class SendHistory {
  private static final long ARRIVED = 1L << 47;
  private static final long RECORDED = 1L << 46;
  /** Send times are kept in µs, in the low 30 bits of an entry (17.9 minutes). */
  private static final long MICROS_MASK = (1L << 30) - 1;
  private final int mask;
  /**
   * One word per entry, so recording a packet writes 8 bytes: the ring is cold memory (it turns
   * over every {@code capacity} packets), written once per packet by every subscriber's
   * transport (ForwardingBenchmark). The sequence number (bits 48–63), {@link #ARRIVED} once
   * feedback reported it, {@link #RECORDED} (an empty entry has neither), the size (30–45, at
   * most 65535) and the send time in µs (0–29), read back against {@link #lastSentMicros}.
   */
  private final long[] entries;
  /** Arrival in the peer's clock (µs, from feedback); meaningful while {@link #ARRIVED} is set. */
  private final long[] arrivalMicros;
  /** The send time of the last packet recorded, µs. */
  private long lastSentMicros;
  private long feedbackPackets;
  private long reportedReceived;
  private long reportedLost;

  SendHistory(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    mask = capacity - 1;
    entries = new long[capacity];
    arrivalMicros = new long[capacity];
  }

  void sent(int seq, int size, long nowNanos) {
    long micros = Math.floorDiv(nowNanos, 1000L);
    lastSentMicros = micros;
    entries[seq & mask] = (long) (seq & 0xffff) << 48 | RECORDED | (long) Math.min(size & 0x7fffffff, 0xffff) << 30
        | (micros & MICROS_MASK);
  }

  /** Whether {@code seq} is still remembered. */
  boolean contains(int seq) {
    long e = entries[seq & mask];
    return (e & RECORDED) != 0 && (int) (e >>> 48) == (seq & 0xffff);
  }

  /**
   * When {@code seq} was sent, to the µs (in ns), if it was sent within 17.9 minutes before the
   * last packet recorded; valid while {@link #contains} it.
   */
  long sentNanos(int seq) {
    long before = (lastSentMicros - entries[seq & mask]) & MICROS_MASK;
    return (lastSentMicros - before) * 1000L;
  }

  int size(int seq) {
    return (int) (entries[seq & mask] >>> 30) & 0xffff;
  }

  /** The peer's arrival time of {@code seq} in µs of its own clock, or {@link Long#MIN_VALUE}. */
  long arrivalMicros(int seq) {
    return contains(seq) && (entries[seq & mask] & ARRIVED) != 0 ? arrivalMicros[seq & mask] : Long.MIN_VALUE;
  }

  /** Applies one transport-cc feedback packet from the peer. */
  void onFeedback(TransportCc fb) {
    feedbackPackets++;
    byte[] symbols = fb.symbols();
    int[] deltas = fb.deltas();
    long at = (long) fb.referenceTime() * TransportCc.REFERENCE_TICK_MILLIS * 1000;
    int d = 0;
    for (int k = 0; k < symbols.length; k++) {
      int seq = (fb.baseSequence() + k) & 0xffff;
      if (symbols[k] == TransportCc.NOT_RECEIVED) {
        reportedLost++;
        continue;
      }
      at += (long) deltas[d++] * TransportCc.DELTA_TICK_MICROS;
      reportedReceived++;
      if (contains(seq)) {
        arrivalMicros[seq & mask] = at;
        entries[seq & mask] |= ARRIVED;
      }
    }
  }

  long feedbackPackets() {
    return feedbackPackets;
  }

  long reportedReceived() {
    return reportedReceived;
  }

  long reportedLost() {
    return reportedLost;
  }
}
