package dev.fanout.rtp.srtp;

/**
 * The 48-bit SRTP packet index and the receiver's estimate of the rollover counter (RFC 3711
 * §3.3.1): {@code index = 2^16 * ROC + SEQ}.
 */
public final class SrtpIndex {
  private SrtpIndex() {}

  /**
   * The ROC to use for a packet with sequence number {@code seq}, given the receiver's current
   * {@code roc} and highest sequence number {@code sL} (RFC 3711 §3.3.1's {@code v}). The result is
   * taken modulo 2^32.
   */
  public static long estimateRoc(long roc, int sL, int seq) {
    long v;
    if (sL < 32768) {
      v = seq - sL > 32768 ? roc - 1 : roc;
    } else {
      v = sL - 32768 > seq ? roc + 1 : roc;
    }
    return v & 0xffffffffL;
  }

  /** The packet index for a ROC and a sequence number. */
  public static long index(long roc, int seq) {
    return ((roc & 0xffffffffL) << 16) | (seq & 0xffff);
  }

  /** The index {@link #estimateRoc estimated} for {@code seq}. */
  public static long estimateIndex(long roc, int sL, int seq) {
    return index(estimateRoc(roc, sL, seq), seq);
  }
}
