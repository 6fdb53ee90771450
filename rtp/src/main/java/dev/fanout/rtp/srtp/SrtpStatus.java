package dev.fanout.rtp.srtp;

/** The outcome of protecting or unprotecting one packet; everything but {@link #OK} is a drop. */
public enum SrtpStatus {
  OK,
  /** The tag did not verify: forged, corrupted, or keyed differently. */
  AUTH_FAILED,
  /** Already received, or older than the 64-packet replay window. */
  REPLAYED,
  /** Too short, or a header that does not fit, to be (S)RTP or (S)RTCP. */
  MALFORMED,
  /** The buffer has no room after the packet for the tag (and SRTCP index). */
  NO_ROOM,
  /** A new SSRC arrived while the session already tracks its limit of streams. */
  TOO_MANY_STREAMS,
  /** The cipher failed; should not happen with valid keys. */
  CRYPTO_ERROR
}
