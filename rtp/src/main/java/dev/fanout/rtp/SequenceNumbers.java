package dev.fanout.rtp;

/** Arithmetic on 16-bit RTP sequence numbers, which wrap from 65535 to 0. */
public final class SequenceNumbers {
  private SequenceNumbers() {}

  /**
   * {@code a - b} as the signed distance on the 16-bit circle, in -32768..32767: positive when
   * {@code a} is newer than {@code b}.
   */
  public static int diff(int a, int b) {
    return (short) (a - b);
  }

  /** Whether {@code a} comes after {@code b}, allowing for wrap. */
  public static boolean isNewer(int a, int b) {
    return diff(a, b) > 0;
  }

  /** {@code seq + delta} modulo 2^16. */
  public static int add(int seq, int delta) {
    return (seq + delta) & 0xffff;
  }

  /**
   * Extends 16-bit sequence numbers to 64 bits by choosing, for each, the value nearest to the
   * previous one. The first value is returned as is; packets reordered before it may come out
   * negative.
   */
  public static final class Unwrapper {
    private long last = Long.MIN_VALUE;

    public long unwrap(int seq) {
      seq &= 0xffff;
      if (last == Long.MIN_VALUE) {
        last = seq;
        return seq;
      }
      long value = last + diff(seq, (int) (last & 0xffff));
      if (value > last) {
        last = value;
      }
      return value;
    }
  }
}
