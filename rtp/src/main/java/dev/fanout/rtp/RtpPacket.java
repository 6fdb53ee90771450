package dev.fanout.rtp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view of one RTP packet in {@code (buf, offset, length)}: {@link #wrap} validates the
 * header once (every length against the datagram) and remembers where the parts are; the
 * accessors then read the bytes in place. Nothing is copied and, after construction, nothing is
 * allocated: a receive loop keeps one view and re-wraps it for every packet.
 *
 * <p>The in-place writers ({@link #setSsrc}, {@link #setSequenceNumber}, {@link #setTimestamp},
 * {@link #setPayloadType}, {@link #setMarker}, {@link #setExtension}) change header bytes only,
 * never the payload. They write into the wrapped buffer: rewrite a private copy, never a packet
 * that others still read. Adding or removing an extension element changes the header length and
 * so writes into a new buffer ({@link #writeWithExtension}, {@link #writeWithoutExtension}).
 *
 * <p>Not thread-safe; one view belongs to one event loop.
 */
public final class RtpPacket {
  private final HeaderExtensions cursor = new HeaderExtensions();
  private byte[] buf;
  private int offset;
  private int length;
  private int headerLength;
  private int paddingLength;
  private int extensionProfile = -1;
  private int extensionStart;
  private int extensionEnd;

  /**
   * Points this view at a packet.
   *
   * @throws RtpFormatException when the bytes are not a valid RTP packet; the view is then empty
   */
  public RtpPacket wrap(byte[] buf, int offset, int length) {
    this.buf = null;
    int header = RtpHeader.headerLength(buf, offset, length);
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.headerLength = header;
    this.paddingLength = RtpHeader.paddingLength(buf, offset, length);
    if (RtpHeader.hasExtension(buf, offset)) {
      int ext = offset + RtpHeader.FIXED_LENGTH + 4 * RtpHeader.csrcCount(buf, offset);
      extensionProfile = Bytes.u16(buf, ext);
      extensionStart = ext + 4;
      extensionEnd = offset + header;
    } else {
      extensionProfile = -1;
      extensionStart = extensionEnd = offset + header;
    }
    return this;
  }

  /** Wraps all of {@code buf}. */
  public RtpPacket wrap(byte[] buf) {
    return wrap(buf, 0, buf.length);
  }

  /**
   * Wraps the readable bytes of a heap {@link ByteBuf} without moving its indices.
   *
   * @throws IllegalArgumentException for a direct buffer (copy it into a heap buffer first: SRTP
   *     works on arrays anyway)
   */
  public RtpPacket wrap(ByteBuf buf) {
    if (!buf.hasArray()) {
      throw new IllegalArgumentException("RTP views need a heap buffer");
    }
    return wrap(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
  }

  /** Whether {@code length} bytes at {@code offset} form a valid RTP packet. */
  public static boolean isValid(byte[] buf, int offset, int length) {
    try {
      RtpHeader.headerLength(buf, offset, length);
      return true;
    } catch (RtpFormatException e) {
      return false;
    }
  }

  public byte[] buffer() {
    return buf;
  }

  public int offset() {
    return offset;
  }

  public int length() {
    return length;
  }

  public int version() {
    return RtpHeader.version(buf, offset);
  }

  public boolean hasPadding() {
    return RtpHeader.hasPadding(buf, offset);
  }

  public boolean hasExtension() {
    return extensionProfile >= 0;
  }

  public int csrcCount() {
    return RtpHeader.csrcCount(buf, offset);
  }

  public int csrc(int index) {
    if (index < 0 || index >= csrcCount()) {
      throw new IllegalArgumentException("CSRC " + index + " of " + csrcCount());
    }
    return RtpHeader.csrc(buf, offset, index);
  }

  public boolean marker() {
    return RtpHeader.marker(buf, offset);
  }

  public int payloadType() {
    return RtpHeader.payloadType(buf, offset);
  }

  public int sequenceNumber() {
    return RtpHeader.sequenceNumber(buf, offset);
  }

  public long timestamp() {
    return RtpHeader.timestamp(buf, offset);
  }

  public int ssrc() {
    return RtpHeader.ssrc(buf, offset);
  }

  /** Header bytes: fixed part, CSRCs and the extension block with its 4-byte header. */
  public int headerLength() {
    return headerLength;
  }

  /** Absolute offset in {@link #buffer()} of the first payload byte. */
  public int payloadOffset() {
    return offset + headerLength;
  }

  /** Payload bytes, padding excluded. */
  public int payloadLength() {
    return length - headerLength - paddingLength;
  }

  public int paddingLength() {
    return paddingLength;
  }

  /** The "defined by profile" field of the extension block, or -1 without one. */
  public int extensionProfile() {
    return extensionProfile;
  }

  /** Absolute offset of the extension block's data (after its 4-byte header). */
  public int extensionDataOffset() {
    return extensionStart;
  }

  /** Bytes of extension data (after its 4-byte header), 0 without an extension. */
  public int extensionDataLength() {
    return extensionEnd - extensionStart;
  }

  /** An iterator over the RFC 8285 elements; empty for other profiles. Reused: do not keep. */
  public HeaderExtensions extensions() {
    return cursor.reset(buf, extensionStart, extensionEnd, extensionProfile);
  }

  /**
   * The absolute offset of the value of RFC 8285 element {@code id}, or -1 when absent.
   *
   * @throws RtpFormatException when the extension block is malformed
   */
  public int extensionOffset(int id) {
    HeaderExtensions it = extensions();
    while (it.next()) {
      if (it.id() == id) {
        return it.valueOffset();
      }
    }
    return -1;
  }

  /** The value length of RFC 8285 element {@code id}, or -1 when absent. */
  public int extensionLength(int id) {
    HeaderExtensions it = extensions();
    while (it.next()) {
      if (it.id() == id) {
        return it.valueLength();
      }
    }
    return -1;
  }

  // ---- in-place writers -------------------------------------------------------------------

  public RtpPacket setMarker(boolean marker) {
    RtpHeader.setMarker(buf, offset, marker);
    return this;
  }

  public RtpPacket setPayloadType(int payloadType) {
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payload type " + payloadType);
    }
    RtpHeader.setPayloadType(buf, offset, payloadType);
    return this;
  }

  public RtpPacket setSequenceNumber(int seq) {
    RtpHeader.setSequenceNumber(buf, offset, seq);
    return this;
  }

  public RtpPacket setTimestamp(long timestamp) {
    RtpHeader.setTimestamp(buf, offset, timestamp);
    return this;
  }

  public RtpPacket setSsrc(int ssrc) {
    RtpHeader.setSsrc(buf, offset, ssrc);
    return this;
  }

  /**
   * Overwrites the value of element {@code id} in place when it is present with exactly {@code
   * len} bytes.
   *
   * @return false, changing nothing, when the element is absent or has another size (then use
   *     {@link #writeWithExtension})
   */
  public boolean setExtension(int id, byte[] value, int valueOffset, int len) {
    HeaderExtensions it = extensions();
    while (it.next()) {
      if (it.id() == id) {
        if (it.valueLength() != len) {
          return false;
        }
        System.arraycopy(value, valueOffset, buf, it.valueOffset(), len);
        return true;
      }
    }
    return false;
  }

  public boolean setExtension(int id, byte[] value) {
    return setExtension(id, value, 0, value.length);
  }

  // ---- writers into a new buffer ---------------------------------------------------------

  /**
   * Bytes {@link #writeWithExtension} needs for adding (or replacing) element {@code id} with a
   * value of {@code len} bytes.
   */
  public int sizeWithExtension(int id, int len) {
    boolean twoByte = needsTwoByte(id, len);
    return length - headerLength + fixedAndCsrcLength() + paddedBlock(twoByte, id, len, -1);
  }

  /**
   * Writes this packet into {@code dst} with element {@code id} set to the given value, replacing
   * an element with the same id. The one-byte form is kept when the id (1..14) and length (1..16)
   * allow it and the packet does not already use the two-byte form; otherwise every element is
   * written in the two-byte form. Payload and padding are copied unchanged.
   *
   * @return the length of the packet written at {@code dstOffset}
   * @throws RtpFormatException when the packet has a non-RFC 8285 extension block
   * @throws IllegalArgumentException for an id outside 1..255, a value over 255 bytes or a
   *     destination without {@link #sizeWithExtension} bytes
   */
  public int writeWithExtension(
      int id, byte[] value, int valueOffset, int len, byte[] dst, int dstOffset) {
    if (id < 1 || id > HeaderExtensions.TWO_BYTE_MAX_ID || len < 0 || len > HeaderExtensions.TWO_BYTE_MAX_LENGTH) {
      throw new IllegalArgumentException("extension id " + id + " with " + len + " bytes");
    }
    requireRfc8285();
    boolean twoByte = needsTwoByte(id, len);
    int block = paddedBlock(twoByte, id, len, -1);
    int total = length - headerLength + fixedAndCsrcLength() + block;
    if (dst.length - dstOffset < total) {
      throw new IllegalArgumentException("destination needs " + total + " bytes");
    }
    int p = writeHeaderStart(dst, dstOffset, twoByte, block);
    HeaderExtensions it = extensions();
    while (it.next()) {
      if (it.id() != id) {
        p = writeElement(dst, p, twoByte, it.id(), buf, it.valueOffset(), it.valueLength());
      }
    }
    p = writeElement(dst, p, twoByte, id, value, valueOffset, len);
    return finish(dst, dstOffset, p, block);
  }

  public int writeWithExtension(int id, byte[] value, byte[] dst, int dstOffset) {
    return writeWithExtension(id, value, 0, value.length, dst, dstOffset);
  }

  /**
   * Writes this packet into {@code dst} without element {@code id}, keeping the form of the
   * others; when none remains the extension block (and the X bit) goes too.
   *
   * @return the length written
   */
  public int writeWithoutExtension(int id, byte[] dst, int dstOffset) {
    requireRfc8285();
    boolean twoByte = HeaderExtensions.isTwoByte(extensionProfile);
    int block = paddedBlock(twoByte, -1, 0, id);
    int total = length - headerLength + fixedAndCsrcLength() + block;
    if (dst.length - dstOffset < total) {
      throw new IllegalArgumentException("destination needs " + total + " bytes");
    }
    int p = writeHeaderStart(dst, dstOffset, twoByte, block);
    HeaderExtensions it = extensions();
    while (it.next()) {
      if (it.id() != id) {
        p = writeElement(dst, p, twoByte, it.id(), buf, it.valueOffset(), it.valueLength());
      }
    }
    return finish(dst, dstOffset, p, block);
  }

  private void requireRfc8285() {
    if (extensionProfile >= 0 && !HeaderExtensions.isRfc8285(extensionProfile)) {
      throw new RtpFormatException(
          "extension profile 0x" + Integer.toHexString(extensionProfile) + " is not RFC 8285");
    }
  }

  private int fixedAndCsrcLength() {
    return RtpHeader.FIXED_LENGTH + 4 * csrcCount();
  }

  /** Whether the result must use the two-byte form when {@code addId} is added. */
  private boolean needsTwoByte(int addId, int addLen) {
    return HeaderExtensions.isTwoByte(extensionProfile)
        || addId > HeaderExtensions.ONE_BYTE_MAX_ID
        || addLen < 1
        || addLen > HeaderExtensions.ONE_BYTE_MAX_LENGTH;
  }

  /**
   * Size of the extension block (4-byte header included, padded to 32 bits) after adding {@code
   * addId} (unless -1) and dropping {@code dropId}; 0 when no element remains.
   */
  private int paddedBlock(boolean twoByte, int addId, int addLen, int dropId) {
    int size = 0;
    int count = 0;
    HeaderExtensions it = extensions();
    while (it.next()) {
      if (it.id() != addId && it.id() != dropId) {
        size += (twoByte ? 2 : 1) + it.valueLength();
        count++;
      }
    }
    if (addId > 0) {
      size += (twoByte ? 2 : 1) + addLen;
      count++;
    }
    if (count == 0) {
      return 0;
    }
    return 4 + ((size + 3) & ~3);
  }

  private int writeHeaderStart(byte[] dst, int dstOffset, boolean twoByte, int block) {
    int fixed = fixedAndCsrcLength();
    System.arraycopy(buf, offset, dst, dstOffset, fixed);
    if (block == 0) {
      dst[dstOffset] &= (byte) ~0x10;
      return dstOffset + fixed;
    }
    dst[dstOffset] |= 0x10;
    int p = dstOffset + fixed;
    int profile;
    if (twoByte) {
      profile = HeaderExtensions.isTwoByte(extensionProfile) ? extensionProfile : HeaderExtensions.TWO_BYTE_PROFILE;
    } else {
      profile = HeaderExtensions.ONE_BYTE_PROFILE;
    }
    Bytes.put16(dst, p, profile);
    Bytes.put16(dst, p + 2, (block - 4) / 4);
    return p + 4;
  }

  private static int writeElement(
      byte[] dst, int p, boolean twoByte, int id, byte[] value, int valueOffset, int len) {
    if (twoByte) {
      dst[p++] = (byte) id;
      dst[p++] = (byte) len;
    } else {
      dst[p++] = (byte) ((id << 4) | (len - 1));
    }
    System.arraycopy(value, valueOffset, dst, p, len);
    return p + len;
  }

  /** Pads the block with zeros, then copies payload and padding; returns the total length. */
  private int finish(byte[] dst, int dstOffset, int p, int block) {
    int blockEnd = dstOffset + fixedAndCsrcLength() + block;
    while (p < blockEnd) {
      dst[p++] = 0;
    }
    int rest = length - headerLength;
    System.arraycopy(buf, offset + headerLength, dst, p, rest);
    return p + rest - dstOffset;
  }

  @Override
  public String toString() {
    if (buf == null) {
      return "RtpPacket[empty]";
    }
    return "RtpPacket[pt=" + payloadType() + " seq=" + sequenceNumber() + " ts=" + timestamp()
        + " ssrc=" + Integer.toUnsignedString(ssrc()) + (marker() ? " M" : "")
        + " payload=" + payloadLength() + "]";
  }
}
