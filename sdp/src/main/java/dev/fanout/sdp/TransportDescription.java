package dev.fanout.sdp;

import java.util.List;

/**
 * The remote side's transport parameters as negotiated, and the DTLS roles that follow from
 * {@code a=setup}.
 *
 * @param remoteSetup  what the remote wrote ({@code actpass} in an offer; active/passive in an answer)
 * @param localSetup   the server's resulting role, always {@link Setup#ACTIVE} or {@link Setup#PASSIVE}
 * @param candidates   candidates the remote included (often none: browsers trickle them)
 */
public record TransportDescription(String remoteIceUfrag, String remoteIcePwd, List<Fingerprint> remoteFingerprints,
                                   Setup remoteSetup, Setup localSetup, List<Candidate> candidates,
                                   boolean remoteIceLite) {

    public TransportDescription {
        remoteFingerprints = List.copyOf(remoteFingerprints);
        candidates = List.copyOf(candidates);
    }

    /** True when the server opens the DTLS handshake (its setup is active). */
    public boolean localIsDtlsClient() {
        return localSetup == Setup.ACTIVE;
    }
}
