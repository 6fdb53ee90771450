package dev.fanout.ice.stun;

/**
 * STUN message types and attribute types used by ICE (RFC 8489 §18, RFC 8445 §16.1).
 *
 * <p>Attribute types below 0x8000 are comprehension-required: a request carrying one we do not
 * know gets a 420 (Unknown Attribute) answer. Types from 0x8000 up are optional and ignored.
 */
public final class StunAttributes {
  private StunAttributes() {}

  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int HEADER_LENGTH = 20;
  public static final int TRANSACTION_ID_LENGTH = 12;

  // Message types (method Binding, the four classes).
  public static final int BINDING_REQUEST = 0x0001;
  public static final int BINDING_INDICATION = 0x0011;
  public static final int BINDING_SUCCESS_RESPONSE = 0x0101;
  public static final int BINDING_ERROR_RESPONSE = 0x0111;

  // Comprehension-required attributes.
  public static final int MAPPED_ADDRESS = 0x0001;
  public static final int USERNAME = 0x0006;
  public static final int MESSAGE_INTEGRITY = 0x0008;
  public static final int ERROR_CODE = 0x0009;
  public static final int UNKNOWN_ATTRIBUTES = 0x000A;
  public static final int REALM = 0x0014;
  public static final int NONCE = 0x0015;
  public static final int XOR_MAPPED_ADDRESS = 0x0020;
  public static final int PRIORITY = 0x0024;
  public static final int USE_CANDIDATE = 0x0025;

  // Comprehension-optional attributes.
  public static final int SOFTWARE = 0x8022;
  public static final int FINGERPRINT = 0x8028;
  public static final int ICE_CONTROLLED = 0x8029;
  public static final int ICE_CONTROLLING = 0x802A;

  /** Length of a MESSAGE-INTEGRITY value: an HMAC-SHA1. */
  public static final int MESSAGE_INTEGRITY_LENGTH = 20;
  /** Length of a FINGERPRINT value: a CRC-32. */
  public static final int FINGERPRINT_LENGTH = 4;

  /** Whether a comprehension-required attribute type is one this codec understands. */
  static boolean isKnownRequired(int type) {
    return switch (type) {
      case MAPPED_ADDRESS, USERNAME, MESSAGE_INTEGRITY, ERROR_CODE, UNKNOWN_ATTRIBUTES, REALM,
          NONCE, XOR_MAPPED_ADDRESS, PRIORITY, USE_CANDIDATE -> true;
      default -> false;
    };
  }

  static boolean isComprehensionRequired(int type) {
    return type < 0x8000;
  }
}
