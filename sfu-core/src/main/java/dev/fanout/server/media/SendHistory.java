package dev.fanout.server.media;

import dev.fanout.rtp.rtcp.TransportCc;

/**
 * What one transport sent under each transport-wide sequence number (send time and size) and,
 * once the peer's transport-cc feedback arrives, whether and when it was received: the input of
 * a send-side bandwidth estimator (as libwebrtc's TransportFeedbackAdapter keeps). A ring indexed
 * by the sequence number; primitive arrays, nothing allocated per packet. Room's loop only.
 */
final class SendHistory {
  private final int mask;
  private final int[] seqs;
  private final long[] sentNanos;
  private final int[] sizes;
  /** Arrival in the peer's clock (µs, from feedback), or {@link Long#MIN_VALUE} while unknown. */
  private final long[] arrivalMicros;
  private long feedbackPackets;
  private long reportedReceived;
  private long reportedLost;

  SendHistory(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    mask = capacity - 1;
    seqs = new int[capacity];
    sentNanos = new long[capacity];
    sizes = new int[capacity];
    arrivalMicros = new long[capacity];
    java.util.Arrays.fill(seqs, -1);
  }

  void sent(int seq, int size, long nowNanos) {
    int i = seq & mask;
    seqs[i] = seq & 0xffff;
    sentNanos[i] = nowNanos;
    sizes[i] = size;
    arrivalMicros[i] = Long.MIN_VALUE;
  }

  /** Whether {@code seq} is still remembered. */
  boolean contains(int seq) {
    return seqs[seq & mask] == (seq & 0xffff);
  }

  long sentNanos(int seq) {
    return sentNanos[seq & mask];
  }

  int size(int seq) {
    return sizes[seq & mask];
  }

  /** The peer's arrival time of {@code seq} in µs of its own clock, or {@link Long#MIN_VALUE}. */
  long arrivalMicros(int seq) {
    return arrivalMicros[seq & mask];
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
