package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.RtpFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Source description, PT 202 (RFC 3550 §6.5): up to 31 chunks, each an SSRC followed by items
 * ({@code type, length, UTF-8 text}) and ended by at least one zero byte, padded to 32 bits.
 *
 * <pre>
 * |V=2|P|    SC   |  PT=SDES=202  |             length            |
 * |                          SSRC/CSRC_1                          |
 * |    CNAME=1    |     length    | user and domain name        ...
 * |      ...      |  0 (end)      |  0 (pad)      |  0 (pad)      |
 * </pre>
 */
public record SourceDescription(List<Chunk> chunks) implements RtcpPacket {
  public static final int CNAME = 1;
  public static final int NAME = 2;
  public static final int EMAIL = 3;
  public static final int PHONE = 4;
  public static final int LOC = 5;
  public static final int TOOL = 6;
  public static final int NOTE = 7;
  public static final int PRIV = 8;

  /** One item; {@code text} is at most 255 bytes in UTF-8. */
  public record Item(int type, String text) {
    public Item {
      if (type < 1 || type > 255) {
        throw new IllegalArgumentException("SDES item type " + type);
      }
      if (text.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("SDES item longer than 255 bytes");
      }
    }
  }

  public record Chunk(int ssrc, List<Item> items) {
    public Chunk {
      items = List.copyOf(items);
    }

    int size() {
      int size = 4;
      for (Item item : items) {
        size += 2 + item.text().getBytes(StandardCharsets.UTF_8).length;
      }
      return (size + 1 + 3) & ~3; // at least one terminating zero, then pad
    }
  }

  public SourceDescription {
    chunks = List.copyOf(chunks);
    if (chunks.size() > 31) {
      throw new IllegalArgumentException(chunks.size() + " SDES chunks, at most 31");
    }
  }

  /** A single chunk with a single CNAME item, as every compound packet carries. */
  public static SourceDescription cname(int ssrc, String cname) {
    return new SourceDescription(List.of(new Chunk(ssrc, List.of(new Item(CNAME, cname)))));
  }

  public static SourceDescription parse(byte[] b, int off, int len) {
    int sc = Rtcp.count(b, off);
    int end = off + len;
    int p = off + 4;
    List<Chunk> chunks = new ArrayList<>(sc);
    for (int c = 0; c < sc; c++) {
      Rtcp.requireLength("SDES chunk", 4, end - p);
      int ssrc = Bytes.i32(b, p);
      p += 4;
      List<Item> items = new ArrayList<>(2);
      while (true) {
        if (p >= end) {
          throw new RtpFormatException("SDES chunk without its terminating zero");
        }
        int type = b[p] & 0xff;
        if (type == 0) {
          p = off + ((p - off + 1 + 3) & ~3); // skip the end marker and the padding
          break;
        }
        Rtcp.requireLength("SDES item header", 2, end - p);
        int itemLen = b[p + 1] & 0xff;
        Rtcp.requireLength("SDES item", 2 + itemLen, end - p);
        items.add(new Item(type, Rtcp.text(b, p + 2, itemLen)));
        p += 2 + itemLen;
      }
      if (p > end) {
        throw new RtpFormatException("SDES chunk padding runs past the packet");
      }
      chunks.add(new Chunk(ssrc, items));
    }
    return new SourceDescription(chunks);
  }

  @Override
  public int size() {
    int size = 4;
    for (Chunk c : chunks) {
      size += c.size();
    }
    return size;
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, chunks.size(), Rtcp.SDES, size);
    int p = off + 4;
    for (Chunk c : chunks) {
      int chunkEnd = p + c.size();
      Bytes.put32(dst, p, c.ssrc());
      p += 4;
      for (Item item : c.items()) {
        byte[] text = item.text().getBytes(StandardCharsets.UTF_8);
        dst[p] = (byte) item.type();
        dst[p + 1] = (byte) text.length;
        System.arraycopy(text, 0, dst, p + 2, text.length);
        p += 2 + text.length;
      }
      while (p < chunkEnd) {
        dst[p++] = 0;
      }
    }
    return size;
  }
}
