package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.RtpFormatException;
import java.nio.charset.StandardCharsets;

/**
 * Constants and static accessors for the RTCP common header (RFC 3550 §6.4), and the RTP/RTCP
 * demultiplexing rule for a shared port (RFC 5761 §4).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P| RC/FMT  |      PT       |      length (words - 1)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    SSRC of packet sender                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Rtcp {
  public static final int HEADER_LENGTH = 4;
  public static final int SR = 200;
  public static final int RR = 201;
  public static final int SDES = 202;
  public static final int BYE = 203;
  public static final int APP = 204;
  /** Transport-layer feedback (RFC 4585): generic NACK, transport-wide CC. */
  public static final int RTPFB = 205;
  /** Payload-specific feedback (RFC 4585): PLI, FIR, REMB. */
  public static final int PSFB = 206;

  /** RTPFB feedback message types. */
  public static final int FMT_NACK = 1;
  public static final int FMT_TRANSPORT_CC = 15;
  /** PSFB feedback message types. */
  public static final int FMT_PLI = 1;
  public static final int FMT_FIR = 4;
  public static final int FMT_AFB = 15;

  private Rtcp() {}

  /**
   * Whether a datagram of the RTP/RTCP class is RTCP: its second byte, the RTCP packet type, is in
   * 192..223 (RFC 5761 §4). RTP payload types 64..95 are never negotiated, since with the marker
   * bit they would fall into this range.
   */
  public static boolean isRtcp(byte[] buf, int off, int len) {
    if (len < 2) {
      return false;
    }
    int pt = buf[off + 1] & 0xff;
    return pt >= 192 && pt <= 223;
  }

  public static int version(byte[] buf, int off) {
    return (buf[off] & 0xc0) >>> 6;
  }

  public static boolean hasPadding(byte[] buf, int off) {
    return (buf[off] & 0x20) != 0;
  }

  /** Reception report count, source count or feedback message type, by packet type. */
  public static int count(byte[] buf, int off) {
    return buf[off] & 0x1f;
  }

  public static int packetType(byte[] buf, int off) {
    return buf[off + 1] & 0xff;
  }

  /** Total length in bytes declared by the length field, header and padding included. */
  public static int declaredLength(byte[] buf, int off) {
    return (Bytes.u16(buf, off + 2) + 1) * 4;
  }

  public static int senderSsrc(byte[] buf, int off) {
    return Bytes.i32(buf, off + 4);
  }

  /** Writes a common header for a packet of {@code length} bytes (a multiple of 4). */
  static void writeHeader(byte[] dst, int off, boolean padding, int count, int packetType, int length) {
    dst[off] = (byte) (0x80 | (padding ? 0x20 : 0) | (count & 0x1f));
    dst[off + 1] = (byte) packetType;
    Bytes.put16(dst, off + 2, length / 4 - 1);
  }

  static void requireLength(String what, int needed, int available) {
    if (available < needed) {
      throw RtpFormatException.truncated(what, needed, available);
    }
  }

  /**
   * Decodes an SDES item or BYE reason (at most 255 bytes of UTF-8). Invalid sequences become
   * U+FFFD, which takes three bytes to write back; text that would then no longer fit its
   * one-byte length is a format error rather than a value no writer could reproduce.
   */
  static String text(byte[] b, int off, int len) {
    String text = new String(b, off, len, StandardCharsets.UTF_8);
    if (text.length() * 3 > 255 && text.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new RtpFormatException("RTCP text of " + len + " bytes is not UTF-8");
    }
    return text;
  }

  static void requireSpace(byte[] dst, int off, int size) {
    if (off < 0 || dst.length - off < size) {
      throw new IllegalArgumentException("RTCP packet needs " + size + " bytes at " + off);
    }
  }
}
