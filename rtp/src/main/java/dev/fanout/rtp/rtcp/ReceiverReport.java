package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.List;

/**
 * Receiver report, PT 201 (RFC 3550 §6.4.2): the reporter's SSRC and up to 31 report blocks.
 * Profile-specific extensions are ignored when parsing.
 *
 * <pre>
 * |V=2|P|    RC   |   PT=RR=201   |             length            |
 * |                     SSRC of packet sender                     |
 * |                 report blocks (24 bytes each)                 |
 * </pre>
 */
public record ReceiverReport(int ssrc, List<ReportBlock> reports) implements RtcpPacket {
  private static final int FIXED = 8;

  public ReceiverReport {
    reports = ReportBlock.checked(reports);
  }

  public static ReceiverReport parse(byte[] b, int off, int len) {
    int rc = Rtcp.count(b, off);
    Rtcp.requireLength("RR with " + rc + " report blocks", FIXED + rc * ReportBlock.LENGTH, len);
    List<ReportBlock> reports = ReportBlock.parseAll(b, off + FIXED, rc);
    return new ReceiverReport(Bytes.i32(b, off + 4), reports);
  }

  @Override
  public int size() {
    return FIXED + reports.size() * ReportBlock.LENGTH;
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, reports.size(), Rtcp.RR, size);
    Bytes.put32(dst, off + 4, ssrc);
    ReportBlock.writeAll(reports, dst, off + FIXED);
    return size;
  }
}
