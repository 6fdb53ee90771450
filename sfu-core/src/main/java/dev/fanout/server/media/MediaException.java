package dev.fanout.server.media;

/**
 * A media request the {@link Router} refuses, with why. Adapters turn the reason into their own
 * error: signaling into an error code, WHIP into an HTTP status.
 */
public final class MediaException extends Exception {
  /** Why a request was refused. */
  public enum Reason {
    /** An SDP offer or answer that does not parse or cannot be negotiated. */
    INVALID_SDP,
    /** A request that contradicts itself or the SDP it came with. */
    INVALID_PARAMS,
    /** A request that does not fit the current state (an answer nobody waits for). */
    INVALID_STATE,
    /** No such track, or none of the caller's. */
    TRACK_NOT_FOUND
  }

  private final Reason reason;

  public MediaException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
