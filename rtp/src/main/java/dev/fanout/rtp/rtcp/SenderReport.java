package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.List;

/**
 * Sender report, PT 200 (RFC 3550 §6.4.1): sender info and up to 31 report blocks. Profile-specific
 * extensions after the report blocks are ignored when parsing and not written.
 *
 * <pre>
 * |V=2|P|    RC   |   PT=SR=200   |             length            |
 * |                         SSRC of sender                        |
 * |              NTP timestamp, most significant word             |
 * |             NTP timestamp, least significant word             |
 * |                         RTP timestamp                         |
 * |                     sender's packet count                     |
 * |                      sender's octet count                     |
 * |                 report blocks (24 bytes each)                 |
 * </pre>
 *
 * @param ntpTimestamp 64-bit NTP timestamp (seconds since 1900 in the upper 32 bits)
 */
public record SenderReport(
    int ssrc,
    long ntpTimestamp,
    long rtpTimestamp,
    long packetCount,
    long octetCount,
    List<ReportBlock> reports)
    implements RtcpPacket {
  private static final int FIXED = 28;

  public SenderReport {
    rtpTimestamp &= 0xffffffffL;
    packetCount &= 0xffffffffL;
    octetCount &= 0xffffffffL;
    reports = ReportBlock.checked(reports);
  }

  public static SenderReport parse(byte[] b, int off, int len) {
    int rc = Rtcp.count(b, off);
    Rtcp.requireLength("SR with " + rc + " report blocks", FIXED + rc * ReportBlock.LENGTH, len);
    List<ReportBlock> reports = ReportBlock.parseAll(b, off + FIXED, rc);
    return new SenderReport(
        Bytes.i32(b, off + 4),
        ((long) Bytes.i32(b, off + 8) << 32) | Bytes.u32(b, off + 12),
        Bytes.u32(b, off + 16),
        Bytes.u32(b, off + 20),
        Bytes.u32(b, off + 24),
        reports);
  }

  /** The middle 32 bits of the NTP timestamp, as echoed in report blocks' LSR field. */
  public long compactNtp() {
    return (ntpTimestamp >>> 16) & 0xffffffffL;
  }

  @Override
  public int size() {
    return FIXED + reports.size() * ReportBlock.LENGTH;
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, reports.size(), Rtcp.SR, size);
    Bytes.put32(dst, off + 4, ssrc);
    Bytes.put32(dst, off + 8, (int) (ntpTimestamp >>> 32));
    Bytes.put32(dst, off + 12, (int) ntpTimestamp);
    Bytes.put32(dst, off + 16, (int) rtpTimestamp);
    Bytes.put32(dst, off + 20, (int) packetCount);
    Bytes.put32(dst, off + 24, (int) octetCount);
    ReportBlock.writeAll(reports, dst, off + FIXED);
    return size;
  }
}
