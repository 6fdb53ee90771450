package dev.fanout.server.auth;

/** A token that does not verify; the message says why and is safe to show the client. */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidTokenException(String message) {
    super(message);
  }
}
