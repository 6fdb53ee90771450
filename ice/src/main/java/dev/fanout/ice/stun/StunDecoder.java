package dev.fanout.ice.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.ice4j.StunException;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.IceControlAttribute;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;

/**
 * Decodes STUN messages (RFC 8489). A structural pass of ours ({@link StunScan}) comes first and
 * enforces the caps (message size, attribute count, USERNAME length, fixed lengths of
 * MESSAGE-INTEGRITY and FINGERPRINT, FINGERPRINT last); only then do ice4j's message and
 * attribute classes parse the values and check FINGERPRINT. ice4j does not check MESSAGE-INTEGRITY: that is
 * {@link MessageIntegrity#verify}, once the caller knows which password applies.
 *
 * <p>Stateless and thread-safe.
 */
public final class StunDecoder {
  /** Largest STUN message accepted. ICE checks are ~100–200 bytes; this leaves ample room. */
  public static final int MAX_MESSAGE_LENGTH = 1280;
  /** Most attributes accepted in one message. */
  public static final int MAX_ATTRIBUTES = 32;
  /** Longest USERNAME value accepted (RFC 8489 §14.3: fewer than 509 bytes). */
  public static final int MAX_USERNAME_LENGTH = 508;

  private StunDecoder() {}

  /** Whether the first bytes look like STUN: first two bits zero and the magic cookie. */
  public static boolean looksLikeStun(ByteBuf buf) {
    int r = buf.readerIndex();
    return buf.readableBytes() >= StunAttributes.HEADER_LENGTH
        && (buf.getUnsignedByte(r) & 0xC0) == 0
        && buf.getInt(r + 4) == StunAttributes.MAGIC_COOKIE;
  }

  /** Decodes the readable bytes of {@code buf} (indices unchanged; the caller keeps ownership). */
  public static StunMessage decode(ByteBuf buf) throws StunFormatException {
    int length = buf.readableBytes();
    if (length > MAX_MESSAGE_LENGTH) {
      throw new StunFormatException("message of " + length + " bytes over the cap");
    }
    byte[] raw = new byte[length];
    buf.getBytes(buf.readerIndex(), raw);
    return decodeOwned(raw);
  }

  /** Decodes {@code length} bytes of {@code buf} from {@code offset} (copied). */
  public static StunMessage decode(byte[] buf, int offset, int length) throws StunFormatException {
    if (offset < 0 || length < 0 || offset > buf.length - length) {
      throw new IndexOutOfBoundsException("offset " + offset + " length " + length);
    }
    if (length > MAX_MESSAGE_LENGTH) {
      throw new StunFormatException("message of " + length + " bytes over the cap");
    }
    return decodeOwned(Arrays.copyOfRange(buf, offset, offset + length));
  }

  /** Decodes a whole array that nobody else will modify; the message keeps it. */
  private static StunMessage decodeOwned(byte[] raw) throws StunFormatException {
    StunScan scan = new StunScan();
    if (!scan.scan(raw, raw.length)) {
      throw new StunFormatException(scan.problem());
    }
    Message message;
    try {
      // ice4j needs the message at offset 0, which is why callers' bytes are copied first.
      message = Message.decode(raw, 0, raw.length);
    } catch (StunException e) {
      throw new StunFormatException("rejected by decoder: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new StunFormatException("rejected by decoder: " + e);
    }
    return extract(raw, scan, message);
  }

  private static StunMessage extract(byte[] raw, StunScan scan, Message message)
      throws StunFormatException {
    byte[] tid = Arrays.copyOfRange(raw, 8, StunAttributes.HEADER_LENGTH);
    String username = null;
    long priority = StunMessage.NO_PRIORITY;
    boolean useCandidate = false;
    Long controlling = null;
    Long controlled = null;
    InetSocketAddress mapped = null;
    int errorCode = -1;
    int limit = scan.integrityOffset() >= 0 ? scan.integrityOffset() : Integer.MAX_VALUE;
    try {
      for (Attribute a : message.getAttributes()) {
        if (a.getLocationInMessage() >= limit) {
          continue; // after MESSAGE-INTEGRITY: ignored (RFC 8489 §14.5)
        }
        switch (a.getAttributeType()) {
          case StunAttributes.USERNAME -> username =
              new String(((UsernameAttribute) a).getUsername(), StandardCharsets.UTF_8);
          case StunAttributes.PRIORITY -> priority = ((PriorityAttribute) a).getPriority();
          case StunAttributes.USE_CANDIDATE -> useCandidate = true;
          case StunAttributes.ICE_CONTROLLING -> controlling = ((IceControlAttribute) a).getTieBreaker();
          case StunAttributes.ICE_CONTROLLED -> controlled = ((IceControlAttribute) a).getTieBreaker();
          case StunAttributes.XOR_MAPPED_ADDRESS -> {
            var address = ((XorMappedAddressAttribute) a).getAddress(tid);
            mapped = new InetSocketAddress(address.getAddress(), address.getPort());
          }
          case StunAttributes.ERROR_CODE -> errorCode = ((ErrorCodeAttribute) a).getErrorCode();
          default -> {
            // Other attributes carry nothing ICE-lite acts on.
          }
        }
      }
    } catch (RuntimeException e) {
      throw new StunFormatException("bad attribute value: " + e);
    }
    return new StunMessage(raw, readShort(raw, 0), tid, username, priority, useCandidate,
        controlling, controlled, scan.integrityOffset(), scan.fingerprintOffset() >= 0,
        scan.unknownRequiredAttributes(), mapped, errorCode);
  }

  static int readShort(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
