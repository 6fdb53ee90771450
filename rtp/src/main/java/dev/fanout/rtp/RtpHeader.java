package dev.fanout.rtp;

/**
 * Static accessors for the fixed RTP header (RFC 3550 §5.1) over {@code (buf, off)}, where
 * {@code off} is the first byte of the packet. They read and write exactly the bytes named and
 * check nothing: call them on a packet {@link #headerLength validated} first, or use {@link
 * RtpPacket}, which validates once and then delegates here.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  defined by profile (0xBEDE,  |            length             |  if X
 * |  0x100x: RFC 8285)            |     (in 32-bit words)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class RtpHeader {
  /** Bytes of the fixed header, without CSRCs or extension. */
  public static final int FIXED_LENGTH = 12;

  private RtpHeader() {}

  public static int version(byte[] buf, int off) {
    return (buf[off] & 0xc0) >>> 6;
  }

  public static boolean hasPadding(byte[] buf, int off) {
    return (buf[off] & 0x20) != 0;
  }

  public static boolean hasExtension(byte[] buf, int off) {
    return (buf[off] & 0x10) != 0;
  }

  public static int csrcCount(byte[] buf, int off) {
    return buf[off] & 0x0f;
  }

  public static boolean marker(byte[] buf, int off) {
    return (buf[off + 1] & 0x80) != 0;
  }

  public static int payloadType(byte[] buf, int off) {
    return buf[off + 1] & 0x7f;
  }

  public static int sequenceNumber(byte[] buf, int off) {
    return Bytes.u16(buf, off + 2);
  }

  /** The timestamp as an unsigned value in a long. */
  public static long timestamp(byte[] buf, int off) {
    return Bytes.u32(buf, off + 4);
  }

  /** The SSRC as the int with the same 32 bits (compare with ==, print with toUnsignedString). */
  public static int ssrc(byte[] buf, int off) {
    return Bytes.i32(buf, off + 8);
  }

  public static int csrc(byte[] buf, int off, int index) {
    return Bytes.i32(buf, off + FIXED_LENGTH + 4 * index);
  }

  public static void setMarker(byte[] buf, int off, boolean marker) {
    buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7f);
  }

  public static void setPayloadType(byte[] buf, int off, int payloadType) {
    buf[off + 1] = (byte) ((buf[off + 1] & 0x80) | (payloadType & 0x7f));
  }

  public static void setSequenceNumber(byte[] buf, int off, int seq) {
    Bytes.put16(buf, off + 2, seq);
  }

  public static void setTimestamp(byte[] buf, int off, long timestamp) {
    Bytes.put32(buf, off + 4, (int) timestamp);
  }

  public static void setSsrc(byte[] buf, int off, int ssrc) {
    Bytes.put32(buf, off + 8, ssrc);
  }

  /**
   * Writes a 12-byte fixed header (version 2, no padding, extension or CSRCs) and returns 12.
   */
  public static int writeFixed(
      byte[] buf, int off, boolean marker, int payloadType, int seq, long timestamp, int ssrc) {
    buf[off] = (byte) 0x80;
    buf[off + 1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7f));
    setSequenceNumber(buf, off, seq);
    setTimestamp(buf, off, timestamp);
    setSsrc(buf, off, ssrc);
    return FIXED_LENGTH;
  }

  /**
   * Validates the header of the {@code len} bytes at {@code off} and returns its length: fixed
   * part, CSRCs and header extension. Checks the version, that the CSRC list and the extension
   * (with its length field) fit, and that the padding count, when present, is at least one and
   * fits between the header and the end.
   *
   * @throws RtpFormatException when any of that does not hold
   */
  public static int headerLength(byte[] buf, int off, int len) {
    if (len < FIXED_LENGTH) {
      throw RtpFormatException.truncated("RTP header", FIXED_LENGTH, len);
    }
    if (version(buf, off) != 2) {
      throw new RtpFormatException("RTP version " + version(buf, off) + ", expected 2");
    }
    int headerLength = FIXED_LENGTH + 4 * csrcCount(buf, off);
    if (headerLength > len) {
      throw RtpFormatException.truncated("RTP CSRC list", headerLength, len);
    }
    if (hasExtension(buf, off)) {
      if (headerLength + 4 > len) {
        throw RtpFormatException.truncated("RTP extension header", headerLength + 4, len);
      }
      headerLength += 4 + 4 * Bytes.u16(buf, off + headerLength + 2);
      if (headerLength > len) {
        throw RtpFormatException.truncated("RTP header extension", headerLength, len);
      }
    }
    if (hasPadding(buf, off)) {
      int padding = buf[off + len - 1] & 0xff;
      if (padding == 0 || padding > len - headerLength) {
        throw new RtpFormatException(
            "RTP padding count " + padding + " with " + (len - headerLength) + " bytes after the header");
      }
    }
    return headerLength;
  }

  /**
   * Validates and returns the header length like {@link #headerLength} but without looking at the
   * padding count, which SRTP encrypts: for checking a protected packet before it is unprotected.
   * {@code len} should exclude the SRTP tag.
   *
   * @throws RtpFormatException when the version, CSRC list or extension does not fit
   */
  public static int clearHeaderLength(byte[] buf, int off, int len) {
    if (len < FIXED_LENGTH) {
      throw RtpFormatException.truncated("RTP header", FIXED_LENGTH, len);
    }
    if (version(buf, off) != 2) {
      throw new RtpFormatException("RTP version " + version(buf, off) + ", expected 2");
    }
    int headerLength = FIXED_LENGTH + 4 * csrcCount(buf, off);
    if (hasExtension(buf, off)) {
      if (headerLength + 4 > len) {
        throw RtpFormatException.truncated("RTP extension header", headerLength + 4, len);
      }
      headerLength += 4 + 4 * Bytes.u16(buf, off + headerLength + 2);
    }
    if (headerLength > len) {
      throw RtpFormatException.truncated("RTP header", headerLength, len);
    }
    return headerLength;
  }

  /** Padding bytes at the end of a validated packet (0 without the P bit). */
  public static int paddingLength(byte[] buf, int off, int len) {
    return hasPadding(buf, off) ? buf[off + len - 1] & 0xff : 0;
  }
}
