package dev.fanout.rtp;

/**
 * The one failure every parser of this module reports: the bytes are not a well-formed RTP or
 * RTCP packet, header extension or payload descriptor. Parsers check each length field against the
 * bytes actually present before they read, so malformed input ends here and never in an
 * {@code IndexOutOfBoundsException}.
 *
 * <p>Malformed packets arrive from the network at attacker-chosen rates, so the exception records
 * no stack trace: throwing it costs about as much as returning.
 */
public final class RtpFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RtpFormatException(String message) {
    super(message, null, false, false);
  }

  /** A length field or fixed part needs more bytes than the datagram has. */
  public static RtpFormatException truncated(String what, int needed, int available) {
    return new RtpFormatException(what + " needs " + needed + " bytes, " + available + " available");
  }
}
