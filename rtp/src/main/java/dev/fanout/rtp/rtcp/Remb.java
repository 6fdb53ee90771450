package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Receiver estimated maximum bitrate, PSFB FMT 15 with the "REMB" identifier
 * (draft-alvestrand-rmcat-remb-03 §2.2): a bitrate as an 18-bit mantissa times 2^exponent, for the
 * listed SSRCs.
 *
 * <pre>
 * |V=2|P| FMT=15  |   PT=206      |             length            |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source (0)                     |
 * |  Unique identifier 'R' 'E' 'M' 'B'                            |
 * |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 * |   SSRC feedback                                               |  (repeated)
 * </pre>
 */
public record Remb(int senderSsrc, int exponent, int mantissa, List<Integer> ssrcs)
    implements RtcpPacket {
  private static final int IDENTIFIER = 0x52454d42; // "REMB"

  public Remb {
    if (exponent < 0 || exponent > 63) {
      throw new IllegalArgumentException("REMB exponent " + exponent);
    }
    if (mantissa < 0 || mantissa > 0x3ffff) {
      throw new IllegalArgumentException("REMB mantissa " + mantissa);
    }
    ssrcs = List.copyOf(ssrcs);
    if (ssrcs.size() > 255) {
      throw new IllegalArgumentException(ssrcs.size() + " SSRCs, at most 255");
    }
  }

  /** A REMB for {@code bitsPerSecond}, rounded down to what 18 bits of mantissa can say. */
  public static Remb of(int senderSsrc, long bitsPerSecond, List<Integer> ssrcs) {
    if (bitsPerSecond < 0) {
      throw new IllegalArgumentException("bitrate " + bitsPerSecond);
    }
    int exponent = 0;
    while ((bitsPerSecond >>> exponent) > 0x3ffff) {
      exponent++;
    }
    return new Remb(senderSsrc, exponent, (int) (bitsPerSecond >>> exponent), ssrcs);
  }

  /** The bitrate in bits per second, saturated at {@link Long#MAX_VALUE}. */
  public long bitrate() {
    if (mantissa != 0 && Long.numberOfLeadingZeros(mantissa) <= exponent) {
      return Long.MAX_VALUE;
    }
    return (long) mantissa << exponent;
  }

  /** Whether an application-layer feedback packet carries the REMB identifier. */
  public static boolean isRemb(byte[] b, int off, int len) {
    return len >= 16 && Bytes.i32(b, off + 12) == IDENTIFIER;
  }

  public static Remb parse(byte[] b, int off, int len) {
    Rtcp.requireLength("REMB", 20, len);
    if (!isRemb(b, off, len)) {
      throw new dev.fanout.rtp.RtpFormatException("application-layer feedback without the REMB identifier");
    }
    int n = b[off + 16] & 0xff;
    Rtcp.requireLength("REMB with " + n + " SSRCs", 20 + 4 * n, len);
    int exponent = (b[off + 17] & 0xff) >>> 2;
    int mantissa = ((b[off + 17] & 0x03) << 16) | Bytes.u16(b, off + 18);
    List<Integer> ssrcs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ssrcs.add(Bytes.i32(b, off + 20 + 4 * i));
    }
    return new Remb(Bytes.i32(b, off + 4), exponent, mantissa, ssrcs);
  }

  @Override
  public int size() {
    return 20 + 4 * ssrcs.size();
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, Rtcp.FMT_AFB, Rtcp.PSFB, size);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, 0);
    Bytes.put32(dst, off + 12, IDENTIFIER);
    dst[off + 16] = (byte) ssrcs.size();
    dst[off + 17] = (byte) ((exponent << 2) | (mantissa >>> 16));
    Bytes.put16(dst, off + 18, mantissa);
    int p = off + 20;
    for (int ssrc : ssrcs) {
      Bytes.put32(dst, p, ssrc);
      p += 4;
    }
    return size;
  }
}
