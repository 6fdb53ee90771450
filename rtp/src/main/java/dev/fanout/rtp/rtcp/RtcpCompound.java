package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.RtpFormatException;
import java.util.ArrayList;
import java.util.List;

/** Parses and writes compound (and reduced-size, RFC 5506) RTCP datagrams. */
public final class RtcpCompound {
  private RtcpCompound() {}

  /**
   * Parses every packet of a datagram. Packet types (and feedback message types) this module does
   * not know, such as XR, are skipped.
   *
   * @throws RtpFormatException when a header or the body of a known type is malformed
   */
  public static List<RtcpPacket> parse(byte[] buf, int off, int len) {
    List<RtcpPacket> packets = new ArrayList<>(4);
    RtcpIterator it = new RtcpIterator().reset(buf, off, len);
    while (it.next()) {
      RtcpPacket p = parseCurrent(it);
      if (p != null) {
        packets.add(p);
      }
    }
    return packets;
  }

  public static List<RtcpPacket> parse(byte[] buf) {
    return parse(buf, 0, buf.length);
  }

  /** Parses the iterator's current packet, or returns null for a type this module skips. */
  public static RtcpPacket parseCurrent(RtcpIterator it) {
    byte[] b = it.buffer();
    int off = it.offset();
    int len = it.contentLength();
    switch (it.packetType()) {
      case Rtcp.SR:
        return SenderReport.parse(b, off, len);
      case Rtcp.RR:
        return ReceiverReport.parse(b, off, len);
      case Rtcp.SDES:
        return SourceDescription.parse(b, off, len);
      case Rtcp.BYE:
        return Bye.parse(b, off, len);
      case Rtcp.APP:
        return App.parse(b, off, len);
      case Rtcp.RTPFB:
        switch (it.count()) {
          case Rtcp.FMT_NACK:
            return GenericNack.parse(b, off, len);
          case Rtcp.FMT_TRANSPORT_CC:
            return TransportCc.parse(b, off, len);
          default:
            return null;
        }
      case Rtcp.PSFB:
        switch (it.count()) {
          case Rtcp.FMT_PLI:
            return PictureLossIndication.parse(b, off, len);
          case Rtcp.FMT_FIR:
            return FullIntraRequest.parse(b, off, len);
          case Rtcp.FMT_AFB:
            return Remb.isRemb(b, off, len) ? Remb.parse(b, off, len) : null;
          default:
            return null;
        }
      default:
        return null;
    }
  }

  /**
   * Whether the datagram is a regular compound packet of RFC 3550 §6.1 (first an SR or RR) rather
   * than a reduced-size one. Both are accepted by {@link #parse}.
   */
  public static boolean startsWithReport(byte[] buf, int off, int len) {
    if (len < Rtcp.HEADER_LENGTH) {
      return false;
    }
    int pt = Rtcp.packetType(buf, off);
    return pt == Rtcp.SR || pt == Rtcp.RR;
  }

  public static int size(List<? extends RtcpPacket> packets) {
    int size = 0;
    for (RtcpPacket p : packets) {
      size += p.size();
    }
    return size;
  }

  /** Writes the packets back to back and returns the total length. */
  public static int write(List<? extends RtcpPacket> packets, byte[] dst, int off) {
    Rtcp.requireSpace(dst, off, size(packets));
    int p = off;
    for (RtcpPacket packet : packets) {
      p += packet.write(dst, p);
    }
    return p - off;
  }

  public static byte[] toByteArray(List<? extends RtcpPacket> packets) {
    byte[] out = new byte[size(packets)];
    write(packets, out, 0);
    return out;
  }
}
