package dev.fanout.ice.stun;

/**
 * A datagram that is not an acceptable STUN message: truncated, over a size cap, structurally
 * wrong, or with a FINGERPRINT that does not match. The one exception type of the STUN codec.
 *
 * <p>It carries no stack trace: it is thrown for hostile input on the receive path, where filling
 * one would only cost time.
 */
public final class StunFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public StunFormatException(String message) {
    super(message, null, false, false);
  }
}
