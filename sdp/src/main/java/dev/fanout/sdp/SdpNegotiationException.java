package dev.fanout.sdp;

/**
 * A well-formed description that cannot be negotiated: a missing mid, ICE credentials or
 * fingerprint, a setup role that does not fit, an answer that does not match the offer.
 */
public final class SdpNegotiationException extends Exception {
    private static final long serialVersionUID = 1L;

    public SdpNegotiationException(String message) {
        super(message);
    }
}
