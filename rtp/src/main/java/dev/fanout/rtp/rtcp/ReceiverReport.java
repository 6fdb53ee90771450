package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.ArrayList;
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
    reports = List.copyOf(reports);
    if (reports.size() > 31) {
      throw new IllegalArgumentException(reports.size() + " report blocks, at most 31");
    }
  }

  public static ReceiverReport parse(byte[] b, int off, int len) {
    int rc = Rtcp.count(b, off);
    Rtcp.requireLength("RR with " + rc + " report blocks", FIXED + rc * ReportBlock.LENGTH, len);
    List<ReportBlock> reports = new ArrayList<>(rc);
    for (int i = 0; i < rc; i++) {
      reports.add(ReportBlock.parse(b, off + FIXED + i * ReportBlock.LENGTH));
    }
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
    int p = off + FIXED;
    for (ReportBlock r : reports) {
      p += r.write(dst, p);
    }
    return size;
  }
}
