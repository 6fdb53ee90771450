package dev.fanout.server.signaling;

/**
 * Stable error codes of the signaling protocol (docs/protocol.md). Clients switch on these; the
 * accompanying message is for humans and may change.
 */
public enum ErrorCode {
  /** Not JSON, not an object, or a field of the wrong type. */
  INVALID_MESSAGE,
  /** {@code v} is missing or not a version this server speaks. */
  UNSUPPORTED_VERSION,
  /** {@code method} names nothing this server knows. */
  UNKNOWN_METHOD,
  /** A parameter is missing or out of range. */
  INVALID_PARAMS,
  /** The token is missing, malformed, expired or not signed by a configured key. */
  UNAUTHORIZED,
  /** The token does not grant what was asked (publish or subscribe). */
  FORBIDDEN,
  /** A method other than join or ping before join. */
  NOT_JOINED,
  /** join on a session that already joined. */
  ALREADY_JOINED,
  /** The room has its configured maximum of participants. */
  ROOM_FULL,
  /** The participant already publishes its configured maximum of tracks. */
  TOO_MANY_TRACKS,
  /** No published track with that id (or not in this room). */
  TRACK_NOT_FOUND,
  /** An SDP offer or answer could not be parsed or negotiated. */
  INVALID_SDP,
  /** The request conflicts with the session's state (e.g. an answer nobody asked for). */
  INVALID_STATE,
  /** The client sent more than its limit (data messages: docs/protocol.md, send-data). */
  RATE_LIMITED,
  /** Something failed inside the server; the session stays usable. */
  INTERNAL_ERROR
}
