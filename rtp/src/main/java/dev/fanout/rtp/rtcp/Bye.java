package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Goodbye, PT 203 (RFC 3550 §6.6): up to 31 SSRCs and an optional reason (at most 255 bytes of
 * UTF-8, padded with zeros to 32 bits).
 *
 * <pre>
 * |V=2|P|    SC   |   PT=BYE=203  |             length            |
 * |                           SSRC/CSRC                           |
 * |     length    |               reason for leaving            ...
 * </pre>
 *
 * @param reason null when absent
 */
public record Bye(List<Integer> ssrcs, String reason) implements RtcpPacket {
  public Bye {
    ssrcs = List.copyOf(ssrcs);
    if (ssrcs.size() > 31) {
      throw new IllegalArgumentException(ssrcs.size() + " SSRCs, at most 31");
    }
    if (reason != null && reason.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("BYE reason longer than 255 bytes");
    }
  }

  public static Bye parse(byte[] b, int off, int len) {
    int sc = Rtcp.count(b, off);
    Rtcp.requireLength("BYE with " + sc + " SSRCs", 4 + 4 * sc, len);
    List<Integer> ssrcs = new ArrayList<>(sc);
    for (int i = 0; i < sc; i++) {
      ssrcs.add(Bytes.i32(b, off + 4 + 4 * i));
    }
    int p = off + 4 + 4 * sc;
    String reason = null;
    if (p < off + len) {
      int reasonLen = b[p] & 0xff;
      Rtcp.requireLength("BYE reason", 1 + reasonLen, off + len - p);
      reason = Rtcp.text(b, p + 1, reasonLen);
    }
    return new Bye(ssrcs, reason);
  }

  private int reasonSize() {
    return reason == null ? 0 : (1 + reason.getBytes(StandardCharsets.UTF_8).length + 3) & ~3;
  }

  @Override
  public int size() {
    return 4 + 4 * ssrcs.size() + reasonSize();
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, ssrcs.size(), Rtcp.BYE, size);
    int p = off + 4;
    for (int ssrc : ssrcs) {
      Bytes.put32(dst, p, ssrc);
      p += 4;
    }
    if (reason != null) {
      byte[] text = reason.getBytes(StandardCharsets.UTF_8);
      dst[p] = (byte) text.length;
      System.arraycopy(text, 0, dst, p + 1, text.length);
      for (int i = p + 1 + text.length; i < off + size; i++) {
        dst[i] = 0;
      }
    }
    return size;
  }
}
