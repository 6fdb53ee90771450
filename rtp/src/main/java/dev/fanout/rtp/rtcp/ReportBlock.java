package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * A reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes.
 *
 * <pre>
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 SSRC_1 (SSRC of first source)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | fraction lost |       cumulative number of packets lost       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           extended highest sequence number received           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      interarrival jitter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         last SR (LSR)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay since last SR (DLSR)                  |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * </pre>
 *
 * @param fractionLost 8-bit fixed point, 0..255
 * @param cumulativeLost signed 24-bit, -8388608..8388607
 * @param extendedHighestSequence unsigned 32-bit
 * @param jitter unsigned 32-bit, in timestamp units
 * @param lastSr middle 32 bits of the last SR's NTP timestamp, unsigned
 * @param delaySinceLastSr unsigned 32-bit, in 1/65536 s
 */
public record ReportBlock(
    int ssrc,
    int fractionLost,
    int cumulativeLost,
    long extendedHighestSequence,
    long jitter,
    long lastSr,
    long delaySinceLastSr) {
  public static final int LENGTH = 24;

  public ReportBlock {
    if (fractionLost < 0 || fractionLost > 255) {
      throw new IllegalArgumentException("fraction lost " + fractionLost);
    }
    if (cumulativeLost < -0x800000 || cumulativeLost > 0x7fffff) {
      throw new IllegalArgumentException("cumulative lost " + cumulativeLost);
    }
    extendedHighestSequence &= 0xffffffffL;
    jitter &= 0xffffffffL;
    lastSr &= 0xffffffffL;
    delaySinceLastSr &= 0xffffffffL;
  }

  /** The {@code count} blocks that follow a report's fixed part at {@code p}. */
  static List<ReportBlock> parseAll(byte[] b, int p, int count) {
    List<ReportBlock> reports = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      reports.add(parse(b, p + i * LENGTH));
    }
    return reports;
  }

  /** An immutable copy of a report's blocks, at most 31 (the 5-bit RC field, RFC 3550 §6.4). */
  static List<ReportBlock> checked(List<ReportBlock> reports) {
    if (reports.size() > 31) {
      throw new IllegalArgumentException(reports.size() + " report blocks, at most 31");
    }
    return List.copyOf(reports);
  }

  /** Writes the blocks from {@code p}; returns the offset after them. */
  static int writeAll(List<ReportBlock> reports, byte[] dst, int p) {
    for (ReportBlock r : reports) {
      p += r.write(dst, p);
    }
    return p;
  }

  static ReportBlock parse(byte[] b, int p) {
    int lost = Bytes.u24(b, p + 5);
    return new ReportBlock(
        Bytes.i32(b, p),
        b[p + 4] & 0xff,
        (lost << 8) >> 8,
        Bytes.u32(b, p + 8),
        Bytes.u32(b, p + 12),
        Bytes.u32(b, p + 16),
        Bytes.u32(b, p + 20));
  }

  int write(byte[] dst, int p) {
    Bytes.put32(dst, p, ssrc);
    dst[p + 4] = (byte) fractionLost;
    Bytes.put24(dst, p + 5, cumulativeLost & 0xffffff);
    Bytes.put32(dst, p + 8, (int) extendedHighestSequence);
    Bytes.put32(dst, p + 12, (int) jitter);
    Bytes.put32(dst, p + 16, (int) lastSr);
    Bytes.put32(dst, p + 20, (int) delaySinceLastSr);
    return LENGTH;
  }
}
