package dev.fanout.ice;

/**
 * What an ICE-lite agent answers to a binding request addressed to its ufrag (RFC 8489 §6.3 and
 * §9.1.3, RFC 8445 §7.3). Error responses to requests that failed authentication carry no
 * MESSAGE-INTEGRITY; the others are signed with the local password.
 */
public enum BindingVerdict {
  /** Valid: answered with a success response carrying XOR-MAPPED-ADDRESS. */
  SUCCESS(0, "", true),
  /** No MESSAGE-INTEGRITY or no usable USERNAME: 400, unsigned. */
  MISSING_CREDENTIALS(400, "Bad Request", false),
  /** Wrong USERNAME or MESSAGE-INTEGRITY: 401, unsigned. */
  UNAUTHORIZED(401, "Unauthorized", false),
  /** A comprehension-required attribute we do not know: 420 with UNKNOWN-ATTRIBUTES. */
  UNKNOWN_ATTRIBUTE(420, "Unknown Attribute", true),
  /** Authentic, but PRIORITY, FINGERPRINT or the role attribute is missing: 400, signed. */
  BAD_REQUEST(400, "Bad Request", true),
  /** The peer claims the controlled role too: 487; we keep ours (a lite agent is controlled). */
  ROLE_CONFLICT(487, "Role Conflict", true);

  private final int errorCode;
  private final String reason;
  private final boolean signed;

  BindingVerdict(int errorCode, String reason, boolean signed) {
    this.errorCode = errorCode;
    this.reason = reason;
    this.signed = signed;
  }

  /** The STUN error code, 0 for {@link #SUCCESS}. */
  public int errorCode() {
    return errorCode;
  }

  public String reason() {
    return reason;
  }

  /** Whether the response carries MESSAGE-INTEGRITY. */
  public boolean signed() {
    return signed;
  }
}
