package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;

/**
 * Picture loss indication, PSFB FMT 1 (RFC 4585 §6.3.1): no FCI.
 *
 * <pre>
 * |V=2|P| FMT=1   |  PT=PSFB=206  |          length=2             |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source                         |
 * </pre>
 */
public record PictureLossIndication(int senderSsrc, int mediaSsrc) implements RtcpPacket {
  public static PictureLossIndication parse(byte[] b, int off, int len) {
    Rtcp.requireLength("PLI", 12, len);
    return new PictureLossIndication(Bytes.i32(b, off + 4), Bytes.i32(b, off + 8));
  }

  @Override
  public int size() {
    return 12;
  }

  @Override
  public int write(byte[] dst, int off) {
    Rtcp.requireSpace(dst, off, 12);
    Rtcp.writeHeader(dst, off, false, Rtcp.FMT_PLI, Rtcp.PSFB, 12);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, mediaSsrc);
    return 12;
  }
}
