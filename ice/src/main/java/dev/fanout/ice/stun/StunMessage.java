package dev.fanout.ice.stun;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A decoded STUN message: the fields ICE needs, plus the raw bytes so MESSAGE-INTEGRITY can be
 * checked once the key is known (the key depends on USERNAME, which is only known after decoding).
 *
 * <p>Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored, as RFC 8489 §14.5
 * requires. Made by {@link StunDecoder}; immutable apart from the raw array, which callers must not
 * modify.
 */
public final class StunMessage {
  /** Marks an absent PRIORITY. */
  public static final long NO_PRIORITY = -1;

  private final byte[] raw;
  private final int type;
  private final byte[] transactionId;
  private final String username;
  private final long priority;
  private final boolean useCandidate;
  private final Long iceControlling;
  private final Long iceControlled;
  private final int integrityOffset;
  private final boolean fingerprint;
  private final int[] unknownRequired;
  private final InetSocketAddress xorMappedAddress;
  private final int errorCode;

  StunMessage(byte[] raw, int type, byte[] transactionId, String username, long priority,
      boolean useCandidate, Long iceControlling, Long iceControlled, int integrityOffset,
      boolean fingerprint, int[] unknownRequired, InetSocketAddress xorMappedAddress,
      int errorCode) {
    this.raw = raw;
    this.type = type;
    this.transactionId = transactionId;
    this.username = username;
    this.priority = priority;
    this.useCandidate = useCandidate;
    this.iceControlling = iceControlling;
    this.iceControlled = iceControlled;
    this.integrityOffset = integrityOffset;
    this.fingerprint = fingerprint;
    this.unknownRequired = unknownRequired;
    this.xorMappedAddress = xorMappedAddress;
    this.errorCode = errorCode;
  }

  /** The whole message as received; do not modify. */
  public byte[] raw() {
    return raw;
  }

  /** Message type: method and class, e.g. {@link StunAttributes#BINDING_REQUEST}. */
  public int type() {
    return type;
  }

  public boolean isBindingRequest() {
    return type == StunAttributes.BINDING_REQUEST;
  }

  /** The 96-bit transaction id (a copy). */
  public byte[] transactionId() {
    return transactionId.clone();
  }

  byte[] transactionIdUnsafe() {
    return transactionId;
  }

  /** USERNAME as text, or null when absent. */
  public String username() {
    return username;
  }

  /**
   * The part of an ICE USERNAME ({@code recipientUfrag:senderUfrag}) before the colon: the ufrag
   * of the agent the request is for. Null when there is no USERNAME or no colon.
   */
  public String recipientUfrag() {
    if (username == null) {
      return null;
    }
    int colon = username.indexOf(':');
    return colon < 0 ? null : username.substring(0, colon);
  }

  /** The part of an ICE USERNAME after the colon: the sender's ufrag. Null when absent. */
  public String senderUfrag() {
    if (username == null) {
      return null;
    }
    int colon = username.indexOf(':');
    return colon < 0 ? null : username.substring(colon + 1);
  }

  /** PRIORITY, or {@link #NO_PRIORITY}. */
  public long priority() {
    return priority;
  }

  public boolean hasPriority() {
    return priority != NO_PRIORITY;
  }

  public boolean useCandidate() {
    return useCandidate;
  }

  /** ICE-CONTROLLING's tie-breaker, or null when absent. */
  public Long iceControlling() {
    return iceControlling;
  }

  /** ICE-CONTROLLED's tie-breaker, or null when absent. */
  public Long iceControlled() {
    return iceControlled;
  }

  /** Offset of the MESSAGE-INTEGRITY attribute header in {@link #raw()}, or -1 when absent. */
  public int integrityOffset() {
    return integrityOffset;
  }

  public boolean hasIntegrity() {
    return integrityOffset >= 0;
  }

  /** Whether a FINGERPRINT was present (it was checked while decoding). */
  public boolean hasFingerprint() {
    return fingerprint;
  }

  /** Comprehension-required attribute types this codec does not understand (a copy). */
  public int[] unknownRequiredAttributes() {
    return unknownRequired.clone();
  }

  public boolean hasUnknownRequiredAttributes() {
    return unknownRequired.length > 0;
  }

  /** XOR-MAPPED-ADDRESS of a response, or null. */
  public InetSocketAddress xorMappedAddress() {
    return xorMappedAddress;
  }

  /** ERROR-CODE as a number (e.g. 487), or -1 when absent. */
  public int errorCode() {
    return errorCode;
  }

  @Override
  public String toString() {
    return "StunMessage{type=0x" + Integer.toHexString(type)
        + ", username=" + username
        + ", priority=" + priority
        + ", useCandidate=" + useCandidate
        + ", controlling=" + (iceControlling != null)
        + ", controlled=" + (iceControlled != null)
        + ", integrity=" + hasIntegrity()
        + ", fingerprint=" + fingerprint
        + (unknownRequired.length > 0 ? ", unknown=" + Arrays.toString(unknownRequired) : "")
        + (xorMappedAddress != null ? ", mapped=" + xorMappedAddress : "")
        + (errorCode >= 0 ? ", error=" + errorCode : "")
        + "}";
  }
}
