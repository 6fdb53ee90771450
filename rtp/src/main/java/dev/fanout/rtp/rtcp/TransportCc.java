package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.RtpFormatException;
import java.util.Arrays;

/**
 * Transport-wide congestion control feedback, RTPFB FMT 15
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for each transport-wide sequence
 * number from {@code baseSequence} on, whether the packet arrived and, if so, its arrival time
 * relative to the previous one.
 *
 * <pre>
 * |V=2|P|  FMT=15 |    PT=205     |           length              |
 * |                     SSRC of packet sender                     |
 * |                      SSRC of media source                     |
 * |      base sequence number     |      packet status count      |
 * |                 reference time                | fb pkt. count |
 * |          packet chunk         |         packet chunk          |  ...
 * |  recv delta   |  recv delta   |       recv delta (large)      |  ...  (zero padding)
 *
 * run-length chunk:      |0| S |       run length (13)       |
 * status vector chunk:   |1|0|  14 one-bit symbols           |
 *                        |1|1|  7 two-bit symbols            |
 * </pre>
 *
 * Symbols: {@link #NOT_RECEIVED}, {@link #SMALL_DELTA} (one byte, 0..255 × 250 µs), {@link
 * #LARGE_DELTA} (two bytes, signed × 250 µs). Chunks are an encoding detail: the writer chooses
 * them canonically (a run of 14 or more, or the rest of the list, as a run-length chunk; else 14
 * one-bit symbols when they fit; else a run of 7 or more; else 7 two-bit symbols).
 *
 * @param referenceTime signed 24-bit, in multiples of 64 ms
 * @param feedbackCount 8-bit counter of feedback packets sent
 * @param symbols one status symbol per packet, 0..2
 * @param deltas one arrival delta per received packet, in multiples of 250 µs
 */
public record TransportCc(
    int senderSsrc,
    int mediaSsrc,
    int baseSequence,
    int referenceTime,
    int feedbackCount,
    byte[] symbols,
    int[] deltas)
    implements RtcpPacket {
  public static final int NOT_RECEIVED = 0;
  public static final int SMALL_DELTA = 1;
  public static final int LARGE_DELTA = 2;
  /** Microseconds per delta tick. */
  public static final int DELTA_TICK_MICROS = 250;
  /** Milliseconds per reference time tick. */
  public static final int REFERENCE_TICK_MILLIS = 64;

  private static final int HEADER = 20;
  private static final int MAX_RUN = 0x1fff;

  public TransportCc {
    if (baseSequence < 0 || baseSequence > 0xffff) {
      throw new IllegalArgumentException("base sequence " + baseSequence);
    }
    if (referenceTime < -0x800000 || referenceTime > 0x7fffff) {
      throw new IllegalArgumentException("reference time " + referenceTime);
    }
    if (feedbackCount < 0 || feedbackCount > 255) {
      throw new IllegalArgumentException("feedback count " + feedbackCount);
    }
    if (symbols.length > 0xffff) {
      throw new IllegalArgumentException(symbols.length + " packet statuses");
    }
    int received = 0;
    for (byte s : symbols) {
      if (s < NOT_RECEIVED || s > LARGE_DELTA) {
        throw new IllegalArgumentException("status symbol " + s);
      }
      if (s != NOT_RECEIVED) {
        received++;
      }
    }
    if (deltas.length != received) {
      throw new IllegalArgumentException(deltas.length + " deltas for " + received + " received packets");
    }
    int k = 0;
    for (byte s : symbols) {
      if (s == SMALL_DELTA && (deltas[k] < 0 || deltas[k] > 255)) {
        throw new IllegalArgumentException("small delta " + deltas[k]);
      }
      if (s == LARGE_DELTA && (deltas[k] < Short.MIN_VALUE || deltas[k] > Short.MAX_VALUE)) {
        throw new IllegalArgumentException("large delta " + deltas[k]);
      }
      if (s != NOT_RECEIVED) {
        k++;
      }
    }
    symbols = symbols.clone();
    deltas = deltas.clone();
  }

  /** The symbol a received packet needs for a delta of {@code ticks} × 250 µs. */
  public static int symbolFor(int ticks) {
    return ticks >= 0 && ticks <= 255 ? SMALL_DELTA : LARGE_DELTA;
  }

  public static TransportCc parse(byte[] b, int off, int len) {
    Rtcp.requireLength("transport-wide CC feedback", HEADER, len);
    int end = off + len;
    int count = Bytes.u16(b, off + 14);
    byte[] symbols = new byte[count];
    int p = off + HEADER;
    int n = 0;
    int received = 0;
    while (n < count) {
      Rtcp.requireLength("transport-wide CC packet chunk", 2, end - p);
      int chunk = Bytes.u16(b, p);
      p += 2;
      if ((chunk & 0x8000) == 0) {
        int symbol = (chunk >>> 13) & 0x3;
        if (symbol == 3) {
          throw new RtpFormatException("reserved status symbol in a run-length chunk");
        }
        int run = Math.min(chunk & MAX_RUN, count - n);
        Arrays.fill(symbols, n, n + run, (byte) symbol);
        n += run;
        if (symbol != NOT_RECEIVED) {
          received += run;
        }
      } else if ((chunk & 0x4000) == 0) {
        for (int i = 13; i >= 0 && n < count; i--) {
          int symbol = (chunk >>> i) & 1;
          symbols[n++] = (byte) symbol;
          received += symbol;
        }
      } else {
        for (int i = 6; i >= 0 && n < count; i--) {
          int symbol = (chunk >>> (2 * i)) & 3;
          if (symbol == 3) {
            throw new RtpFormatException("reserved status symbol in a status vector chunk");
          }
          symbols[n++] = (byte) symbol;
          if (symbol != NOT_RECEIVED) {
            received++;
          }
        }
      }
    }
    int[] deltas = new int[received];
    int k = 0;
    for (int i = 0; i < count; i++) {
      if (symbols[i] == SMALL_DELTA) {
        Rtcp.requireLength("receive delta", 1, end - p);
        deltas[k++] = b[p++] & 0xff;
      } else if (symbols[i] == LARGE_DELTA) {
        Rtcp.requireLength("large receive delta", 2, end - p);
        deltas[k++] = (short) Bytes.u16(b, p);
        p += 2;
      }
    }
    int reference = Bytes.u24(b, off + 16);
    return new TransportCc(
        Bytes.i32(b, off + 4),
        Bytes.i32(b, off + 8),
        Bytes.u16(b, off + 12),
        (reference << 8) >> 8,
        b[off + 19] & 0xff,
        symbols,
        deltas);
  }

  @Override
  public byte[] symbols() {
    return symbols.clone();
  }

  @Override
  public int[] deltas() {
    return deltas.clone();
  }

  public int statusCount() {
    return symbols.length;
  }

  private int runAt(int i) {
    int run = 1;
    while (i + run < symbols.length && symbols[i + run] == symbols[i] && run < MAX_RUN) {
      run++;
    }
    return run;
  }

  private boolean oneBitFits(int i, int n) {
    for (int j = i; j < i + n; j++) {
      if (symbols[j] == LARGE_DELTA) {
        return false;
      }
    }
    return true;
  }

  /** Writes chunks at {@code p} (when {@code dst} is not null) and returns how many there are. */
  private int chunks(byte[] dst, int p) {
    int count = 0;
    int i = 0;
    while (i < symbols.length) {
      int remaining = symbols.length - i;
      int run = runAt(i);
      int chunk;
      int used;
      int vector = Math.min(14, remaining);
      if (run == remaining || run >= 14) {
        chunk = (symbols[i] << 13) | run;
        used = run;
      } else if (oneBitFits(i, vector)) {
        chunk = 0x8000;
        for (int j = 0; j < vector; j++) {
          chunk |= symbols[i + j] << (13 - j);
        }
        used = vector;
      } else if (run >= 7) {
        chunk = (symbols[i] << 13) | run;
        used = run;
      } else {
        used = Math.min(7, remaining);
        chunk = 0xc000;
        for (int j = 0; j < used; j++) {
          chunk |= symbols[i + j] << (2 * (6 - j));
        }
      }
      if (dst != null) {
        Bytes.put16(dst, p + 2 * count, chunk);
      }
      count++;
      i += used;
    }
    return count;
  }

  private int unpaddedSize() {
    int size = HEADER + 2 * chunks(null, 0);
    for (byte s : symbols) {
      size += s;
    }
    return size;
  }

  @Override
  public int size() {
    return (unpaddedSize() + 3) & ~3;
  }

  @Override
  public int write(byte[] dst, int off) {
    int unpadded = unpaddedSize();
    int size = (unpadded + 3) & ~3;
    int padding = size - unpadded;
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, padding > 0, Rtcp.FMT_TRANSPORT_CC, Rtcp.RTPFB, size);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, mediaSsrc);
    Bytes.put16(dst, off + 12, baseSequence);
    Bytes.put16(dst, off + 14, symbols.length);
    Bytes.put24(dst, off + 16, referenceTime & 0xffffff);
    dst[off + 19] = (byte) feedbackCount;
    int p = off + HEADER + 2 * chunks(dst, off + HEADER);
    int k = 0;
    for (byte s : symbols) {
      if (s == SMALL_DELTA) {
        dst[p++] = (byte) deltas[k++];
      } else if (s == LARGE_DELTA) {
        Bytes.put16(dst, p, deltas[k++]);
        p += 2;
      }
    }
    if (padding > 0) {
      Arrays.fill(dst, p, p + padding - 1, (byte) 0);
      dst[p + padding - 1] = (byte) padding;
    }
    return size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransportCc t
        && t.senderSsrc == senderSsrc
        && t.mediaSsrc == mediaSsrc
        && t.baseSequence == baseSequence
        && t.referenceTime == referenceTime
        && t.feedbackCount == feedbackCount
        && Arrays.equals(t.symbols, symbols)
        && Arrays.equals(t.deltas, deltas);
  }

  @Override
  public int hashCode() {
    return ((senderSsrc * 31 + mediaSsrc) * 31 + baseSequence) * 31 + Arrays.hashCode(symbols) * 17
        + Arrays.hashCode(deltas);
  }

  @Override
  public String toString() {
    return "TransportCc[base=" + baseSequence + ", count=" + symbols.length + ", ref=" + referenceTime
        + ", fb=" + feedbackCount + ", symbols=" + Arrays.toString(symbols) + ", deltas="
        + Arrays.toString(deltas) + "]";
  }
}
