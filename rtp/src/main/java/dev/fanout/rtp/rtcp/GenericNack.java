package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Generic NACK, RTPFB FMT 1 (RFC 4585 §6.2.1): the sequence numbers a receiver misses, as FCI
 * entries of a packet id (PID) and a bitmask of the 16 following (BLP).
 *
 * <pre>
 * |V=2|P| FMT=1   |  PT=RTPFB=205 |          length               |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source                         |
 * |            PID                |             BLP               |  (repeated)
 * </pre>
 *
 * @param lost the sequence numbers in the order the entries list them; a writer packs a number
 *     into the current entry's BLP when it lies 1..16 after the PID and after the previous bit
 */
public record GenericNack(int senderSsrc, int mediaSsrc, List<Integer> lost) implements RtcpPacket {
  public GenericNack {
    lost = List.copyOf(lost);
    for (int seq : lost) {
      if (seq < 0 || seq > 0xffff) {
        throw new IllegalArgumentException("sequence number " + seq);
      }
    }
  }

  public static GenericNack parse(byte[] b, int off, int len) {
    Rtcp.requireLength("generic NACK", 12, len);
    int entries = (len - 12) / 4;
    List<Integer> lost = new ArrayList<>(entries * 2);
    for (int i = 0; i < entries; i++) {
      int p = off + 12 + 4 * i;
      int pid = Bytes.u16(b, p);
      int blp = Bytes.u16(b, p + 2);
      lost.add(pid);
      for (int bit = 0; bit < 16; bit++) {
        if ((blp & (1 << bit)) != 0) {
          lost.add((pid + bit + 1) & 0xffff);
        }
      }
    }
    return new GenericNack(Bytes.i32(b, off + 4), Bytes.i32(b, off + 8), lost);
  }

  private int entries() {
    int entries = 0;
    int pid = -1;
    int lastBit = 0;
    for (int seq : lost) {
      int d = pid < 0 ? 0 : (seq - pid) & 0xffff;
      if (pid >= 0 && d >= 1 && d <= 16 && d > lastBit) {
        lastBit = d;
      } else {
        entries++;
        pid = seq;
        lastBit = 0;
      }
    }
    return entries;
  }

  @Override
  public int size() {
    return 12 + 4 * entries();
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, Rtcp.FMT_NACK, Rtcp.RTPFB, size);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, mediaSsrc);
    int p = off + 8; // advanced to the first entry on the first number
    int pid = -1;
    int blp = 0;
    int lastBit = 0;
    for (int seq : lost) {
      int d = pid < 0 ? 0 : (seq - pid) & 0xffff;
      if (pid >= 0 && d >= 1 && d <= 16 && d > lastBit) {
        blp |= 1 << (d - 1);
        lastBit = d;
      } else {
        if (pid >= 0) {
          Bytes.put16(dst, p + 2, blp);
        }
        p += 4;
        pid = seq;
        blp = 0;
        lastBit = 0;
        Bytes.put16(dst, p, pid);
      }
    }
    if (pid >= 0) {
      Bytes.put16(dst, p + 2, blp);
    }
    return size;
  }

  /**
   * Bytes {@link #writeTo} needs for the first {@code count} numbers of {@code lost}: 12 plus 4
   * per PID/BLP entry, at most {@code 12 + 4 * count}.
   */
  public static int sizeOf(int[] lost, int count) {
    requireCount(lost, count);
    int entries = 0;
    int pid = -1;
    int lastBit = 0;
    for (int i = 0; i < count; i++) {
      int seq = lost[i] & 0xffff;
      int d = pid < 0 ? 0 : (seq - pid) & 0xffff;
      if (pid >= 0 && d >= 1 && d <= 16 && d > lastBit) {
        lastBit = d;
      } else {
        entries++;
        pid = seq;
        lastBit = 0;
      }
    }
    return 12 + 4 * entries;
  }

  /**
   * Writes a Generic NACK for the first {@code count} sequence numbers of {@code lost} (low 16
   * bits of each) without allocating: the same packing as {@link #write(byte[], int)}, so
   * numbers in ascending order (modulo 2^16) share entries.
   *
   * @return the bytes written, {@link #sizeOf}
   * @throws IllegalArgumentException when {@code count} is not in 1..lost.length (RFC 4585
   *     §6.2.1: at least one FCI entry) or the packet does not fit {@code dst} at {@code off}
   */
  public static int writeTo(byte[] dst, int off, int senderSsrc, int mediaSsrc, int[] lost, int count) {
    int size = sizeOf(lost, count);
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, Rtcp.FMT_NACK, Rtcp.RTPFB, size);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, mediaSsrc);
    int p = off + 8;
    int pid = -1;
    int blp = 0;
    int lastBit = 0;
    for (int i = 0; i < count; i++) {
      int seq = lost[i] & 0xffff;
      int d = pid < 0 ? 0 : (seq - pid) & 0xffff;
      if (pid >= 0 && d >= 1 && d <= 16 && d > lastBit) {
        blp |= 1 << (d - 1);
        lastBit = d;
      } else {
        if (pid >= 0) {
          Bytes.put16(dst, p + 2, blp);
        }
        p += 4;
        pid = seq;
        blp = 0;
        lastBit = 0;
        Bytes.put16(dst, p, pid);
      }
    }
    Bytes.put16(dst, p + 2, blp);
    return size;
  }

  private static void requireCount(int[] lost, int count) {
    if (count < 1 || count > lost.length) {
      throw new IllegalArgumentException(count + " of " + lost.length + " sequence numbers");
    }
  }
}
