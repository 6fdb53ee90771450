package dev.fanout.sdp;

import java.util.List;
import java.util.Objects;

/**
 * What the server puts in every description it writes for one peer connection: its ICE-lite
 * credentials, its host candidates on the shared media port, and its DTLS certificate
 * fingerprint.
 */
public record LocalTransport(String iceUfrag, String icePwd, List<Fingerprint> fingerprints, List<Candidate> candidates) {

    public LocalTransport {
        Objects.requireNonNull(iceUfrag, "iceUfrag");
        Objects.requireNonNull(icePwd, "icePwd");
        fingerprints = List.copyOf(fingerprints);
        candidates = List.copyOf(candidates);
        if (fingerprints.isEmpty()) {
            throw new IllegalArgumentException("at least one fingerprint is needed");
        }
    }

    public static LocalTransport of(String ufrag, String pwd, Fingerprint fingerprint, List<Candidate> candidates) {
        return new LocalTransport(ufrag, pwd, List.of(fingerprint), candidates);
    }
}
