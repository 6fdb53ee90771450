package dev.fanout.dtls;

/**
 * Why a DTLS connection failed: a {@link Reason} to branch on and a message for humans (it names
 * the connection, the alert or the values that disagreed, never key material).
 */
public record DtlsFailure(Reason reason, String message) {

  /** What went wrong. */
  public enum Reason {
    /** No handshake completed within the configured timeout (10 s by default). */
    HANDSHAKE_TIMEOUT,
    /** The peer's certificate matched none of the fingerprints in its SDP. */
    FINGERPRINT_MISMATCH,
    /** No common SRTP protection profile, or the peer did not negotiate use_srtp. */
    SRTP_NEGOTIATION_FAILED,
    /** The peer sent a fatal alert. */
    ALERT_RECEIVED,
    /** The peer broke the protocol (we sent a fatal alert). */
    PROTOCOL_ERROR,
    /** Every handshake thread was busy and the pending queue full; the connection was refused. */
    OVERLOADED,
    /** The stack was shut down, or something unexpected failed inside it. */
    INTERNAL
  }

  @Override
  public String toString() {
    return reason + ": " + message;
  }
}
