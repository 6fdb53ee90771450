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
  private final int mask;
  /**
   * Two words per entry, side by side, so recording a packet writes one cache line: the sequence
   * number (bits 48–63), {@link #ARRIVED} once feedback reported it, {@link #RECORDED} (an empty
   * entry has neither), and the size (0–31); then the send time in ns.
   */
  private final long[] entries;
  /** Arrival in the peer's clock (µs, from feedback); meaningful while {@link #ARRIVED} is set. */
  private final long[] arrivalMicros;
  private long feedbackPackets;
  private long reportedReceived;
  private long reportedLost;

  SendHistory(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    mask = capacity - 1;
    entries = new long[2 * capacity];
    arrivalMicros = new long[capacity];
  }

  void sent(int seq, int size, long nowNanos) {
    int i = (seq & mask) << 1;
    entries[i] = (long) (seq & 0xffff) << 48 | RECORDED | (size & 0xffffffffL);
    entries[i + 1] = nowNanos;
  }

  /** Whether {@code seq} is still remembered. */
  boolean contains(int seq) {
    long e = entries[(seq & mask) << 1];
    return (e & RECORDED) != 0 && (int) (e >>> 48) == (seq & 0xffff);
  }

  long sentNanos(int seq) {
    return entries[((seq & mask) << 1) + 1];
  }

  int size(int seq) {
    return (int) entries[(seq & mask) << 1];
  }

  /** The peer's arrival time of {@code seq} in µs of its own clock, or {@link Long#MIN_VALUE}. */
  long arrivalMicros(int seq) {
    return contains(seq) && (entries[(seq & mask) << 1] & ARRIVED) != 0 ? arrivalMicros[seq & mask] : Long.MIN_VALUE;
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
        entries[(seq & mask) << 1] |= ARRIVED;
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
