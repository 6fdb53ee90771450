package dev.fanout.server.signaling;

/** A request that fails with a protocol error code; thrown by handlers, answered as an error. */
public final class SignalingException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public SignalingException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
