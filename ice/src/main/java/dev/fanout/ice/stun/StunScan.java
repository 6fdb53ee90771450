package dev.fanout.ice.stun;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The structural pass over a STUN message (RFC 8489 §5, §14): walks the header and every
 * attribute header, bounds-checking each length before it is used, and enforces the caps of
 * {@link StunDecoder}. It finds where USERNAME, MESSAGE-INTEGRITY and FINGERPRINT are without
 * decoding any value, which is all a receiver needs to route a request by ufrag and check its
 * credentials; so junk costs a walk over a few attribute headers, not a full decode.
 *
 * <p>Reusable and allocation-free: one instance per thread (the media port's loop keeps one),
 * {@link #scan} overwrites the previous result. A failure is a return value with a constant
 * reason, never an exception, so a flood of garbage costs no stack traces.
 */
public final class StunScan {
  private final int[] unknown = new int[StunDecoder.MAX_ATTRIBUTES];
  private final CRC32 crc = new CRC32();
  private int type;
  private int usernameOffset;
  private int usernameLength;
  private int integrityOffset;
  private int fingerprintOffset;
  private int unknownCount;
  private String problem;

  /**
   * Scans the message in {@code raw[0, length)}. True when it is structurally sound; otherwise
   * {@link #problem()} says why and the other accessors mean nothing.
   */
  public boolean scan(byte[] raw, int length) {
    usernameOffset = -1;
    usernameLength = 0;
    integrityOffset = -1;
    fingerprintOffset = -1;
    unknownCount = 0;
    problem = null;
    if (length > StunDecoder.MAX_MESSAGE_LENGTH) {
      return fail("message over the size cap");
    }
    if (length < StunAttributes.HEADER_LENGTH) {
      return fail("shorter than a STUN header");
    }
    if ((raw[0] & 0xC0) != 0) {
      return fail("first two bits not zero");
    }
    if (StunDecoder.readInt(raw, 4) != StunAttributes.MAGIC_COOKIE) {
      return fail("no magic cookie (RFC 3489 STUN is not supported)");
    }
    int declared = StunDecoder.readShort(raw, 2);
    if ((declared & 3) != 0) {
      return fail("length field not a multiple of 4");
    }
    if (declared != length - StunAttributes.HEADER_LENGTH) {
      return fail("length field disagrees with the datagram's length");
    }
    type = StunDecoder.readShort(raw, 0);
    int count = 0;
    int at = StunAttributes.HEADER_LENGTH;
    while (at < length) {
      if (fingerprintOffset >= 0) {
        return fail("attribute after FINGERPRINT");
      }
      if (length - at < 4) {
        return fail("truncated attribute header");
      }
      if (++count > StunDecoder.MAX_ATTRIBUTES) {
        return fail("too many attributes");
      }
      int attribute = StunDecoder.readShort(raw, at);
      int valueLength = StunDecoder.readShort(raw, at + 2);
      int padded = (valueLength + 3) & ~3;
      if (padded > length - at - 4) {
        return fail("attribute runs past the end");
      }
      boolean afterIntegrity = integrityOffset >= 0;
      switch (attribute) {
        case StunAttributes.MESSAGE_INTEGRITY -> {
          if (valueLength != StunAttributes.MESSAGE_INTEGRITY_LENGTH) {
            return fail("MESSAGE-INTEGRITY of the wrong length");
          }
          if (!afterIntegrity) {
            integrityOffset = at;
          }
        }
        case StunAttributes.FINGERPRINT -> {
          if (valueLength != StunAttributes.FINGERPRINT_LENGTH) {
            return fail("FINGERPRINT of the wrong length");
          }
          fingerprintOffset = at;
        }
        case StunAttributes.USERNAME -> {
          if (valueLength > StunDecoder.MAX_USERNAME_LENGTH) {
            return fail("USERNAME over the length cap");
          }
          if (!afterIntegrity) {
            // As the decoder: attributes after MESSAGE-INTEGRITY are ignored (RFC 8489 §14.5).
            usernameOffset = at + 4;
            usernameLength = valueLength;
          }
        }
        default -> {
          if (!afterIntegrity && StunAttributes.isComprehensionRequired(attribute)
              && !StunAttributes.isKnownRequired(attribute)) {
            unknown[unknownCount++] = attribute;
          }
        }
      }
      at += 4 + padded;
    }
    return true;
  }

  private boolean fail(String why) {
    problem = why;
    return false;
  }

  /**
   * Whether the FINGERPRINT of the message just scanned matches its bytes (RFC 8489 §14.7); true
   * when it has none.
   */
  public boolean fingerprintMatches(byte[] raw) {
    if (fingerprintOffset < 0) {
      return true;
    }
    crc.reset();
    crc.update(raw, 0, fingerprintOffset);
    return ((int) crc.getValue() ^ Fingerprint.XOR) == StunDecoder.readInt(raw, fingerprintOffset + 4);
  }

  /** Why the last {@link #scan} failed; null after a success. */
  public String problem() {
    return problem;
  }

  /** Message type: method and class, e.g. {@link StunAttributes#BINDING_REQUEST}. */
  public int type() {
    return type;
  }

  /** Offset of USERNAME's value, or -1 when there is none before MESSAGE-INTEGRITY. */
  public int usernameOffset() {
    return usernameOffset;
  }

  public int usernameLength() {
    return usernameLength;
  }

  /** Offset of the MESSAGE-INTEGRITY attribute header, or -1 when absent. */
  public int integrityOffset() {
    return integrityOffset;
  }

  /** Offset of the FINGERPRINT attribute header, or -1 when absent. */
  public int fingerprintOffset() {
    return fingerprintOffset;
  }

  public boolean hasUnknownRequiredAttributes() {
    return unknownCount > 0;
  }

  /** Comprehension-required attribute types before MESSAGE-INTEGRITY that are not known (a copy). */
  public int[] unknownRequiredAttributes() {
    return Arrays.copyOf(unknown, unknownCount);
  }
}
