package dev.fanout.rtp;

/**
 * RFC 8285 header extension elements inside an RTP header extension block.
 *
 * <p>One-byte form, profile {@code 0xBEDE}: each element is a byte {@code ID(4) L(4)} followed by
 * {@code L+1} bytes of value; ID 0 is a padding byte, ID 15 ends the block. Two-byte form,
 * profile {@code 0x100x} (the low four bits are "appbits"): a byte of ID and a byte of length
 * followed by that many bytes (0 to 255); ID 0 is a padding byte.
 *
 * <pre>
 *  one-byte:  | 0xBE | 0xDE | length | ID L | data... | 0 (pad) | ID L | data... |
 *  two-byte:  | 0x10 | 0x0a | length | ID | L | data... | 0 (pad) | ID | L | data |
 * </pre>
 *
 * A cursor over the elements of one block; {@link RtpPacket} owns one and reuses it.
 */
public final class HeaderExtensions {
  public static final int ONE_BYTE_PROFILE = 0xBEDE;
  public static final int TWO_BYTE_PROFILE = 0x1000;
  /** Largest id and value length the one-byte form can carry. */
  public static final int ONE_BYTE_MAX_ID = 14;
  public static final int ONE_BYTE_MAX_LENGTH = 16;
  public static final int TWO_BYTE_MAX_ID = 255;
  public static final int TWO_BYTE_MAX_LENGTH = 255;

  private byte[] buf;
  private int end;
  private boolean twoByte;
  private int pos;
  private int id;
  private int valueOffset;
  private int valueLength;

  public static boolean isOneByte(int profile) {
    return profile == ONE_BYTE_PROFILE;
  }

  public static boolean isTwoByte(int profile) {
    return (profile & 0xfff0) == TWO_BYTE_PROFILE;
  }

  /** Whether a block with this profile holds RFC 8285 elements. */
  public static boolean isRfc8285(int profile) {
    return isOneByte(profile) || isTwoByte(profile);
  }

  /** Starts iterating the elements of the block {@code [start, end)} of {@code buf}. */
  public HeaderExtensions reset(byte[] buf, int start, int end, int profile) {
    this.buf = buf;
    this.pos = start;
    this.end = isRfc8285(profile) ? end : start;
    this.twoByte = isTwoByte(profile);
    this.id = 0;
    return this;
  }

  /**
   * Moves to the next element, skipping padding.
   *
   * @return false at the end of the block
   * @throws RtpFormatException when an element's length runs past the block
   */
  public boolean next() {
    while (pos < end) {
      int b = buf[pos] & 0xff;
      if (b == 0) {
        pos++; // padding
        continue;
      }
      if (twoByte) {
        if (pos + 2 > end) {
          throw new RtpFormatException("two-byte extension element header runs past its block");
        }
        id = b;
        valueLength = buf[pos + 1] & 0xff;
        valueOffset = pos + 2;
      } else {
        id = b >>> 4;
        if (id == 15) {
          pos = end; // reserved: stop processing the block
          return false;
        }
        if (id == 0) {
          pos++; // a padding byte with stray length bits
          continue;
        }
        valueLength = (b & 0x0f) + 1;
        valueOffset = pos + 1;
      }
      if (valueOffset + valueLength > end) {
        throw new RtpFormatException(
            "extension element " + id + " of " + valueLength + " bytes runs past its block");
      }
      pos = valueOffset + valueLength;
      return true;
    }
    return false;
  }

  public int id() {
    return id;
  }

  /** Absolute offset in the buffer of the current element's value. */
  public int valueOffset() {
    return valueOffset;
  }

  public int valueLength() {
    return valueLength;
  }

  /** Offset of the current element's first byte (its id). */
  public int elementOffset() {
    return valueOffset - (twoByte ? 2 : 1);
  }
}
