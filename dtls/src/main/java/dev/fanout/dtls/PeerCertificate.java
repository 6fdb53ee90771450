package dev.fanout.dtls;

/**
 * The certificate the peer presented in the handshake, after it matched a fingerprint the peer
 * declared in its SDP.
 *
 * @param matched the declared fingerprint it matched
 * @param sha256 its SHA-256 fingerprint (for logs and stats, whatever the peer declared)
 */
public record PeerCertificate(byte[] encoded, Fingerprint matched, Fingerprint sha256) {
  public PeerCertificate {
    encoded = encoded.clone();
  }

  /** A copy of the DER-encoded end-entity certificate. */
  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerCertificate p && p.sha256.equals(sha256) && p.matched.equals(matched);
  }

  @Override
  public int hashCode() {
    return sha256.hashCode();
  }

  @Override
  public String toString() {
    return "PeerCertificate[" + sha256.toSdp() + "]";
  }
}
