package dev.fanout.rtp.srtp;

import io.netty.buffer.ByteBuf;
import org.jitsi.utils.ByteArrayBuffer;

/**
 * A packet in {@code buffer[offset, offset + length)} with room up to {@code offset + capacity}:
 * the mutable, reusable handle {@link SrtpSession} protects and unprotects in place. It never
 * reallocates; protect checks the room for the tag first and returns {@link SrtpStatus#NO_ROOM}
 * when it is missing.
 *
 * <p>It implements jitsi-srtp's {@code ByteArrayBuffer} so its contexts can work on it directly.
 */
public final class PacketBuffer implements ByteArrayBuffer {
  private byte[] buffer;
  private int offset;
  private int length;
  private int capacity;

  public PacketBuffer() {}

  public PacketBuffer(byte[] buffer, int offset, int length) {
    wrap(buffer, offset, length);
  }

  /** Points at {@code length} bytes with room up to the end of the array. */
  public PacketBuffer wrap(byte[] buffer, int offset, int length) {
    return wrap(buffer, offset, length, buffer.length - offset);
  }

  /** Points at {@code length} bytes with room for {@code capacity} bytes from {@code offset}. */
  public PacketBuffer wrap(byte[] buffer, int offset, int length, int capacity) {
    if (offset < 0 || length < 0 || capacity < length || capacity > buffer.length - offset) {
      throw new IllegalArgumentException(
          "offset " + offset + ", length " + length + ", capacity " + capacity + " in " + buffer.length);
    }
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
    this.capacity = capacity;
    return this;
  }

  /**
   * Points at the readable bytes of a heap {@link ByteBuf}, with room up to its writable bytes
   * (after {@code ensureWritable} by the caller when protecting).
   */
  public PacketBuffer wrap(ByteBuf buf) {
    if (!buf.hasArray()) {
      throw new IllegalArgumentException("SRTP works on heap buffers");
    }
    return wrap(
        buf.array(),
        buf.arrayOffset() + buf.readerIndex(),
        buf.readableBytes(),
        buf.readableBytes() + buf.writableBytes());
  }

  /** Bytes of room from {@link #getOffset()}: the most {@link #getLength()} may become. */
  public int capacity() {
    return capacity;
  }

  @Override
  public byte[] getBuffer() {
    return buffer;
  }

  @Override
  public int getOffset() {
    return offset;
  }

  @Override
  public int getLength() {
    return length;
  }

  @Override
  public void setLength(int length) {
    if (length < 0 || length > capacity) {
      throw new IllegalStateException("length " + length + " outside capacity " + capacity);
    }
    this.length = length;
  }

  @Override
  public void setOffset(int offset) {
    int end = this.offset + capacity;
    if (offset < 0 || offset > end) {
      throw new IllegalStateException("offset " + offset);
    }
    this.capacity = end - offset;
    this.offset = offset;
  }

  @Override
  public boolean isInvalid() {
    return buffer == null;
  }

  @Override
  public void readRegionToBuff(int off, int len, byte[] out) {
    System.arraycopy(buffer, offset + off, out, 0, len);
  }

  /** Checks that {@code howMuch} more bytes fit; the buffer is never reallocated. */
  @Override
  public void grow(int howMuch) {
    if (length + howMuch > capacity) {
      throw new IllegalStateException("no room for " + howMuch + " more bytes");
    }
  }

  @Override
  public void append(byte[] data, int len) {
    grow(len);
    System.arraycopy(data, 0, buffer, offset + length, len);
    length += len;
  }

  @Override
  public void shrink(int len) {
    if (len <= 0) {
      return;
    }
    length = Math.max(0, length - len);
  }
}
