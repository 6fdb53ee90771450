package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.RtpFormatException;

/**
 * A reusable cursor over the packets of a compound RTCP datagram (RFC 3550 §6.1), reduced-size
 * ones included (RFC 5506: any packet type may come first, and a datagram may hold a single
 * feedback packet). It checks each common header and length field against the datagram before it
 * moves there and allocates nothing, so a receive loop can look at packet types and SSRCs without
 * parsing the rest.
 */
public final class RtcpIterator {
  private byte[] buf;
  private int pos;
  private int end;
  private int offset;
  private int length;
  private int contentLength;

  public RtcpIterator reset(byte[] buf, int off, int len) {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
    this.length = 0;
    return this;
  }

  /**
   * Moves to the next packet.
   *
   * @return false after the last one
   * @throws RtpFormatException when the next header is invalid (version, length beyond the
   *     datagram, padding count) — the rest of the datagram cannot be trusted then
   */
  public boolean next() {
    if (pos >= end) {
      return false;
    }
    int remaining = end - pos;
    Rtcp.requireLength("RTCP header", Rtcp.HEADER_LENGTH, remaining);
    if (Rtcp.version(buf, pos) != 2) {
      throw new RtpFormatException("RTCP version " + Rtcp.version(buf, pos) + ", expected 2");
    }
    int declared = Rtcp.declaredLength(buf, pos);
    if (declared > remaining) {
      throw RtpFormatException.truncated("RTCP packet type " + Rtcp.packetType(buf, pos), declared, remaining);
    }
    int padding = 0;
    if (Rtcp.hasPadding(buf, pos)) {
      padding = buf[pos + declared - 1] & 0xff;
      if (padding == 0 || padding > declared - Rtcp.HEADER_LENGTH) {
        throw new RtpFormatException("RTCP padding count " + padding + " in a " + declared + "-byte packet");
      }
    }
    offset = pos;
    length = declared;
    contentLength = declared - padding;
    pos += declared;
    return true;
  }

  public byte[] buffer() {
    return buf;
  }

  /** Offset of the current packet's first header byte. */
  public int offset() {
    return offset;
  }

  /** Bytes of the current packet as declared, header and padding included. */
  public int length() {
    return length;
  }

  /** Bytes of the current packet without its padding. */
  public int contentLength() {
    return contentLength;
  }

  public int packetType() {
    return Rtcp.packetType(buf, offset);
  }

  /** RC, SC or FMT, depending on the packet type. */
  public int count() {
    return Rtcp.count(buf, offset);
  }

  /** The sender SSRC, or 0 for a packet too short to carry one. */
  public int senderSsrc() {
    return contentLength >= 8 ? Rtcp.senderSsrc(buf, offset) : 0;
  }
}
