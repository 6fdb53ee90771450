package dev.fanout.ice.stun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5) with one short-term credential: HMAC-SHA1 keyed with the
 * password. ICE passwords are ice-chars (ASCII), so OpaqueString leaves them unchanged and the key
 * is the password's bytes.
 *
 * <p>Holds a keyed {@link Mac}, so an instance is not thread-safe: use it from one thread (the
 * media port's event loop) or give each thread its own.
 */
public final class MessageIntegrity {
  private final Mac mac;
  private final byte[] header = new byte[StunAttributes.HEADER_LENGTH];
  private final byte[] digest = new byte[StunAttributes.MESSAGE_INTEGRITY_LENGTH];

  private MessageIntegrity(byte[] key) {
    try {
      mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  /** The short-term credential key of an ICE password (RFC 8489 §9.1.1). */
  public static MessageIntegrity shortTerm(String password) {
    if (password.isEmpty()) {
      throw new IllegalArgumentException("empty password");
    }
    return new MessageIntegrity(password.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code message}'s MESSAGE-INTEGRITY matches this key. False when it has none. The
   * comparison takes the same time wherever the first difference is.
   */
  public boolean verify(StunMessage message) {
    return verify(message.raw(), message.integrityOffset());
  }

  /**
   * Whether the MESSAGE-INTEGRITY attribute at {@code integrityOffset} of the message in
   * {@code raw} (from offset 0, as {@link StunScan} found it) matches this key: the check needs no
   * decoded message. False when the offset is -1 or out of range. Same timing wherever the first difference is.
   */
  public boolean verify(byte[] raw, int integrityOffset) {
    int at = integrityOffset;
    if (at < StunAttributes.HEADER_LENGTH
        || at > raw.length - 4 - StunAttributes.MESSAGE_INTEGRITY_LENGTH) {
      return false;
    }
    hmac(raw, at);
    int diff = 0;
    for (int i = 0; i < digest.length; i++) {
      diff |= digest[i] ^ raw[at + 4 + i];
    }
    return diff == 0;
  }

  /**
   * Writes the HMAC of {@code buf[offset, offset + attributeStart)} into the MESSAGE-INTEGRITY
   * value that follows at {@code attributeStart} (whose 4-byte attribute header is already
   * written).
   */
  void sign(byte[] buf, int offset, int attributeStart) {
    if (offset != 0) {
      byte[] copy = new byte[attributeStart];
      System.arraycopy(buf, offset, copy, 0, attributeStart);
      hmac(copy, attributeStart);
    } else {
      hmac(buf, attributeStart);
    }
    System.arraycopy(digest, 0, buf, offset + attributeStart + 4, digest.length);
  }

  /**
   * HMAC over the message up to the MESSAGE-INTEGRITY attribute at {@code at}, with the header's
   * length field set as if MESSAGE-INTEGRITY were the last attribute.
   */
  private void hmac(byte[] msg, int at) {
    System.arraycopy(msg, 0, header, 0, header.length);
    int length = at + 4 + StunAttributes.MESSAGE_INTEGRITY_LENGTH - StunAttributes.HEADER_LENGTH;
    header[2] = (byte) (length >>> 8);
    header[3] = (byte) length;
    mac.update(header);
    mac.update(msg, header.length, at - header.length);
    try {
      mac.doFinal(digest, 0);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
