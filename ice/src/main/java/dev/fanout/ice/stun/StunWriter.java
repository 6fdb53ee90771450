package dev.fanout.ice.stun;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Writes one STUN message into a caller-supplied array: a header, then attributes in call order,
 * then optionally MESSAGE-INTEGRITY and FINGERPRINT, which must come last and in that order. The
 * header's length field is kept current after every attribute, as MESSAGE-INTEGRITY and
 * FINGERPRINT need.
 *
 * <pre>{@code
 * int n = new StunWriter(buf, 0)
 *     .header(StunAttributes.BINDING_SUCCESS_RESPONSE, tid)
 *     .xorMappedAddress(peer)
 *     .messageIntegrity(key)
 *     .fingerprint()
 *     .length();
 * }</pre>
 *
 * Padding bytes are zero unless chosen otherwise (RFC 8489 §14 lets them be any value; the RFC
 * 5769 vectors use spaces). Throws {@link IndexOutOfBoundsException} when the array is too small.
 */
public final class StunWriter {
  private final byte[] buf;
  private final int offset;
  private final byte padding;
  private byte[] transactionId;
  private int position;

  public StunWriter(byte[] buf, int offset) {
    this(buf, offset, (byte) 0);
  }

  public StunWriter(byte[] buf, int offset, byte padding) {
    this.buf = buf;
    this.offset = offset;
    this.padding = padding;
  }

  /** Starts the message: type, length 0, magic cookie, transaction id (12 bytes). */
  public StunWriter header(int type, byte[] transactionId) {
    if (transactionId.length != StunAttributes.TRANSACTION_ID_LENGTH) {
      throw new IllegalArgumentException("transaction id of " + transactionId.length + " bytes");
    }
    this.transactionId = transactionId;
    position = offset;
    putShort(type & 0x3FFF);
    putShort(0);
    putInt(StunAttributes.MAGIC_COOKIE);
    System.arraycopy(transactionId, 0, buf, position, transactionId.length);
    position += transactionId.length;
    return this;
  }

  /** An attribute with an opaque value. */
  public StunWriter attribute(int type, byte[] value) {
    int start = beginAttribute(type, value.length);
    System.arraycopy(value, 0, buf, start, value.length);
    return endAttribute(start, value.length);
  }

  public StunWriter username(String username) {
    return attribute(StunAttributes.USERNAME, username.getBytes(StandardCharsets.UTF_8));
  }

  public StunWriter software(String software) {
    return attribute(StunAttributes.SOFTWARE, software.getBytes(StandardCharsets.UTF_8));
  }

  public StunWriter priority(long priority) {
    int start = beginAttribute(StunAttributes.PRIORITY, 4);
    putInt((int) priority);
    return endAttribute(start, 4);
  }

  public StunWriter useCandidate() {
    int start = beginAttribute(StunAttributes.USE_CANDIDATE, 0);
    return endAttribute(start, 0);
  }

  public StunWriter iceControlling(long tieBreaker) {
    return tieBreaker(StunAttributes.ICE_CONTROLLING, tieBreaker);
  }

  public StunWriter iceControlled(long tieBreaker) {
    return tieBreaker(StunAttributes.ICE_CONTROLLED, tieBreaker);
  }

  private StunWriter tieBreaker(int type, long tieBreaker) {
    int start = beginAttribute(type, 8);
    putInt((int) (tieBreaker >>> 32));
    putInt((int) tieBreaker);
    return endAttribute(start, 8);
  }

  /** XOR-MAPPED-ADDRESS (RFC 8489 §14.2) of an IPv4 or IPv6 address. */
  public StunWriter xorMappedAddress(InetSocketAddress address) {
    byte[] ip = address.getAddress().getAddress();
    boolean v4 = address.getAddress() instanceof Inet4Address;
    int length = 4 + ip.length;
    int start = beginAttribute(StunAttributes.XOR_MAPPED_ADDRESS, length);
    buf[position++] = 0;
    buf[position++] = (byte) (v4 ? 0x01 : 0x02);
    putShort(address.getPort() ^ (StunAttributes.MAGIC_COOKIE >>> 16));
    for (int i = 0; i < ip.length; i++) {
      // The cookie, then the transaction id, form the 16-byte XOR mask.
      int mask = i < 4
          ? StunAttributes.MAGIC_COOKIE >>> (24 - 8 * i)
          : transactionId[i - 4];
      buf[position++] = (byte) (ip[i] ^ mask);
    }
    return endAttribute(start, length);
  }

  /** ERROR-CODE (RFC 8489 §14.8), e.g. 487 and "Role Conflict". */
  public StunWriter errorCode(int code, String reason) {
    if (code < 300 || code > 699) {
      throw new IllegalArgumentException("error code " + code);
    }
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = 4 + text.length;
    int start = beginAttribute(StunAttributes.ERROR_CODE, length);
    putShort(0);
    buf[position++] = (byte) (code / 100);
    buf[position++] = (byte) (code % 100);
    System.arraycopy(text, 0, buf, position, text.length);
    position += text.length;
    return endAttribute(start, length);
  }

  /** UNKNOWN-ATTRIBUTES (RFC 8489 §14.9). */
  public StunWriter unknownAttributes(int[] types) {
    int length = 2 * types.length;
    int start = beginAttribute(StunAttributes.UNKNOWN_ATTRIBUTES, length);
    for (int type : types) {
      putShort(type);
    }
    return endAttribute(start, length);
  }

  /** MESSAGE-INTEGRITY over everything written so far. */
  public StunWriter messageIntegrity(MessageIntegrity key) {
    int attributeStart = position - offset;
    int start = beginAttribute(StunAttributes.MESSAGE_INTEGRITY, StunAttributes.MESSAGE_INTEGRITY_LENGTH);
    position += StunAttributes.MESSAGE_INTEGRITY_LENGTH;
    endAttribute(start, StunAttributes.MESSAGE_INTEGRITY_LENGTH);
    key.sign(buf, offset, attributeStart);
    return this;
  }

  /** FINGERPRINT over everything written so far; ends the message. */
  public StunWriter fingerprint() {
    int start = beginAttribute(StunAttributes.FINGERPRINT, StunAttributes.FINGERPRINT_LENGTH);
    position += StunAttributes.FINGERPRINT_LENGTH;
    endAttribute(start, StunAttributes.FINGERPRINT_LENGTH);
    int crc = Fingerprint.compute(buf, offset, start - 4 - offset);
    position = start;
    putInt(crc);
    return this;
  }

  /**
   * Rewrites the FINGERPRINT that ends the {@code length}-byte message in {@code message} after
   * bytes before it changed (a new transaction id, say), as {@link #fingerprint()} wrote it.
   */
  public static void refreshFingerprint(byte[] message, int length) {
    int value = length - StunAttributes.FINGERPRINT_LENGTH;
    int crc = Fingerprint.compute(message, 0, value - 4);
    message[value] = (byte) (crc >>> 24);
    message[value + 1] = (byte) (crc >>> 16);
    message[value + 2] = (byte) (crc >>> 8);
    message[value + 3] = (byte) crc;
  }

  /** Bytes written so far. */
  public int length() {
    return position - offset;
  }

  private int beginAttribute(int type, int valueLength) {
    if (transactionId == null) {
      throw new IllegalStateException("header() first");
    }
    int padded = (valueLength + 3) & ~3;
    if (position + 4 + padded > buf.length) {
      throw new IndexOutOfBoundsException("STUN message does not fit in " + buf.length + " bytes");
    }
    putShort(type);
    putShort(valueLength);
    return position;
  }

  private StunWriter endAttribute(int start, int valueLength) {
    position = start + valueLength;
    while (((position - start) & 3) != 0) {
      buf[position++] = padding;
    }
    int bodyLength = position - offset - StunAttributes.HEADER_LENGTH;
    buf[offset + 2] = (byte) (bodyLength >>> 8);
    buf[offset + 3] = (byte) bodyLength;
    return this;
  }

  private void putShort(int v) {
    buf[position++] = (byte) (v >>> 8);
    buf[position++] = (byte) v;
  }

  private void putInt(int v) {
    buf[position++] = (byte) (v >>> 24);
    buf[position++] = (byte) (v >>> 16);
    buf[position++] = (byte) (v >>> 8);
    buf[position++] = (byte) v;
  }
}
