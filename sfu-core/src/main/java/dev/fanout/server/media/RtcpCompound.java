package dev.fanout.server.media;

import dev.fanout.rtp.rtcp.RtcpPacket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes RTCP packets back to back as one compound packet (RFC 3550 §6.1) and sends it. */
final class RtcpCompound {
  private static final Logger LOG = LoggerFactory.getLogger(RtcpCompound.class);

  private RtcpCompound() {}

  static void send(WebRtcTransport t, List<RtcpPacket> compound, String label) {
    byte[] a = t.sendBuffer();
    int size = 0;
    for (RtcpPacket p : compound) {
      size += p.size();
    }
    if (size > a.length) {
      LOG.debug("{}: dropping {} bytes of RTCP", label, size);
      return;
    }
    int at = 0;
    for (RtcpPacket p : compound) {
      at += p.write(a, at);
    }
    t.sendRtcp(a, 0, at);
  }
}
