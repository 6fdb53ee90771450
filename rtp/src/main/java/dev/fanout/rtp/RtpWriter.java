package dev.fanout.rtp;

import java.util.Arrays;

/**
 * Builds RTP packets field by field and writes them into a caller-supplied buffer ({@link
 * #size()} bytes). For senders that originate packets (the client, tests, probes); the forwarding
 * path rewrites received packets in place with {@link RtpPacket} instead.
 *
 * <p>Header extension elements are written in the one-byte form (RFC 8285) when every id is
 * 1..14 and every value 1..16 bytes, otherwise in the two-byte form. Reusable: {@link #reset()}
 * clears it.
 */
public final class RtpWriter {
  private static final int MAX_ELEMENTS = 32;

  private boolean marker;
  private int payloadType;
  private int sequenceNumber;
  private long timestamp;
  private int ssrc;
  private int[] csrcs = new int[0];
  private final int[] extIds = new int[MAX_ELEMENTS];
  private final byte[][] extValues = new byte[MAX_ELEMENTS][];
  private int extCount;
  private byte[] payload = new byte[0];
  private int payloadOffset;
  private int payloadLength;
  private int padding;

  public RtpWriter reset() {
    marker = false;
    payloadType = 0;
    sequenceNumber = 0;
    timestamp = 0;
    ssrc = 0;
    csrcs = new int[0];
    Arrays.fill(extValues, null);
    extCount = 0;
    payload = new byte[0];
    payloadOffset = payloadLength = 0;
    padding = 0;
    return this;
  }

  public RtpWriter marker(boolean marker) {
    this.marker = marker;
    return this;
  }

  public RtpWriter payloadType(int payloadType) {
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payload type " + payloadType);
    }
    this.payloadType = payloadType;
    return this;
  }

  public RtpWriter sequenceNumber(int seq) {
    this.sequenceNumber = seq & 0xffff;
    return this;
  }

  public RtpWriter timestamp(long timestamp) {
    this.timestamp = timestamp & 0xffffffffL;
    return this;
  }

  public RtpWriter ssrc(int ssrc) {
    this.ssrc = ssrc;
    return this;
  }

  public RtpWriter csrcs(int... csrcs) {
    if (csrcs.length > 15) {
      throw new IllegalArgumentException(csrcs.length + " CSRCs, at most 15");
    }
    this.csrcs = csrcs.clone();
    return this;
  }

  /** Adds (or replaces) RFC 8285 element {@code id} (1..255) with a value of 0..255 bytes. */
  public RtpWriter extension(int id, byte[] value) {
    if (id < 1 || id > 255 || value.length > 255) {
      throw new IllegalArgumentException("extension id " + id + " with " + value.length + " bytes");
    }
    for (int i = 0; i < extCount; i++) {
      if (extIds[i] == id) {
        extValues[i] = value.clone();
        return this;
      }
    }
    if (extCount == MAX_ELEMENTS) {
      throw new IllegalArgumentException("more than " + MAX_ELEMENTS + " extension elements");
    }
    extIds[extCount] = id;
    extValues[extCount++] = value.clone();
    return this;
  }

  /** The payload, referenced (not copied) until {@link #write}. */
  public RtpWriter payload(byte[] payload, int offset, int length) {
    this.payload = payload;
    this.payloadOffset = offset;
    this.payloadLength = length;
    return this;
  }

  public RtpWriter payload(byte[] payload) {
    return payload(payload, 0, payload.length);
  }

  /** Padding bytes to append (0..255); the last one carries the count. */
  public RtpWriter padding(int padding) {
    if (padding < 0 || padding > 255) {
      throw new IllegalArgumentException("padding " + padding);
    }
    this.padding = padding;
    return this;
  }

  private boolean twoByte() {
    for (int i = 0; i < extCount; i++) {
      int len = extValues[i].length;
      if (extIds[i] > 14 || len < 1 || len > 16) {
        return true;
      }
    }
    return false;
  }

  private int extensionBlockLength() {
    if (extCount == 0) {
      return 0;
    }
    int header = twoByte() ? 2 : 1;
    int size = 0;
    for (int i = 0; i < extCount; i++) {
      size += header + extValues[i].length;
    }
    return 4 + ((size + 3) & ~3);
  }

  public int size() {
    return RtpHeader.FIXED_LENGTH + 4 * csrcs.length + extensionBlockLength() + payloadLength + padding;
  }

  /**
   * Writes the packet at {@code off} and returns its length.
   *
   * @throws IllegalArgumentException when {@code dst} has less than {@link #size()} bytes there
   */
  public int write(byte[] dst, int off) {
    int size = size();
    if (off < 0 || dst.length - off < size) {
      throw new IllegalArgumentException("RTP packet needs " + size + " bytes");
    }
    RtpHeader.writeFixed(dst, off, marker, payloadType, sequenceNumber, timestamp, ssrc);
    dst[off] |= (byte) csrcs.length;
    int p = off + RtpHeader.FIXED_LENGTH;
    for (int csrc : csrcs) {
      Bytes.put32(dst, p, csrc);
      p += 4;
    }
    int block = extensionBlockLength();
    if (block > 0) {
      boolean twoByte = twoByte();
      dst[off] |= 0x10;
      Bytes.put16(dst, p, twoByte ? HeaderExtensions.TWO_BYTE_PROFILE : HeaderExtensions.ONE_BYTE_PROFILE);
      Bytes.put16(dst, p + 2, (block - 4) / 4);
      int end = p + block;
      p += 4;
      for (int i = 0; i < extCount; i++) {
        byte[] v = extValues[i];
        if (twoByte) {
          dst[p++] = (byte) extIds[i];
          dst[p++] = (byte) v.length;
        } else {
          dst[p++] = (byte) ((extIds[i] << 4) | (v.length - 1));
        }
        System.arraycopy(v, 0, dst, p, v.length);
        p += v.length;
      }
      while (p < end) {
        dst[p++] = 0;
      }
    }
    System.arraycopy(payload, payloadOffset, dst, p, payloadLength);
    p += payloadLength;
    if (padding > 0) {
      dst[off] |= 0x20;
      Arrays.fill(dst, p, p + padding - 1, (byte) 0);
      dst[p + padding - 1] = (byte) padding;
      p += padding;
    }
    return p - off;
  }

  /** Writes the packet into a new array of exactly {@link #size()} bytes. */
  public byte[] toByteArray() {
    byte[] out = new byte[size()];
    write(out, 0);
    return out;
  }
}
