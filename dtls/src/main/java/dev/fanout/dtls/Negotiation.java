package dev.fanout.dtls;

import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.UseSRTPData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one handshake must check and what it produced, shared by the server and client peers: the
 * peer-certificate check against the SDP fingerprints, the use_srtp choice, and the exported SRTP
 * keys. Used by one handshake thread; its results are read after the handshake returns.
 */
final class Negotiation {
  private static final Logger log = LoggerFactory.getLogger(Negotiation.class);
  /** RFC 5764 §4.1.1: we never use an MKI. */
  static final byte[] NO_MKI = new byte[0];

  final DtlsRole role;
  final String label;
  final List<Fingerprint> expected;
  final List<SrtpProfile> profiles;
  final DtlsStats stats;

  private SrtpProfile selected;
  private PeerCertificate peer;
  private SrtpKeys keys;
  private DtlsFailure failure;

  Negotiation(DtlsRole role, String label, List<Fingerprint> expected, List<SrtpProfile> profiles,
      DtlsStats stats) {
    this.role = role;
    this.label = label;
    this.expected = expected;
    this.profiles = profiles;
    this.stats = stats;
  }

  /** Checks the peer's end-entity certificate against the fingerprints its SDP declared. */
  void verifyPeer(Certificate chain) throws IOException {
    if (chain == null || chain.isEmpty()) {
      throw fail(DtlsFailure.Reason.FINGERPRINT_MISMATCH, AlertDescription.handshake_failure,
          "peer sent no certificate; its SDP declared " + expected);
    }
    byte[] der = chain.getCertificateAt(0).getEncoded();
    Fingerprint actual = Fingerprint.of(Fingerprint.HashFunction.SHA_256, der);
    for (Fingerprint f : expected) {
      if (f.matches(der)) {
        peer = new PeerCertificate(der, f, actual);
        return;
      }
    }
    stats.fingerprintMismatches.increment();
    throw fail(DtlsFailure.Reason.FINGERPRINT_MISMATCH, AlertDescription.bad_certificate,
        "peer certificate " + actual + " matches none of the fingerprints in its SDP " + expected);
  }

  /** Server: picks our most preferred profile among those the client offered. */
  UseSRTPData selectProfile(UseSRTPData offered) throws IOException {
    if (offered == null) {
      throw srtpFailure("peer did not offer the use_srtp extension");
    }
    int[] ids = offered.getProtectionProfiles();
    for (SrtpProfile p : profiles) {
      for (int id : ids) {
        if (id == p.id()) {
          selected = p;
          return new UseSRTPData(new int[] {id}, NO_MKI);
        }
      }
    }
    throw srtpFailure("no common SRTP protection profile: peer offered " + describe(ids)
        + ", we accept " + profiles);
  }

  /** Client: checks the server's use_srtp answer against what we offered. */
  void acceptSelection(UseSRTPData answer) throws IOException {
    if (answer == null) {
      throw srtpFailure("peer did not negotiate use_srtp (we offered " + profiles + ")");
    }
    int[] ids = answer.getProtectionProfiles();
    if (ids.length != 1) {
      throw srtpFailure("peer answered use_srtp with " + ids.length + " profiles, not one");
    }
    SrtpProfile p = SrtpProfile.ofId(ids[0]);
    if (p == null || !profiles.contains(p)) {
      throw srtpFailure("peer selected SRTP profile " + describe(ids) + " which we did not offer "
          + profiles);
    }
    if (answer.getMki().length != 0) {
      throw srtpFailure("peer set an SRTP MKI, which we did not offer");
    }
    selected = p;
  }

  /** Exports the SRTP keying material once the handshake is complete. */
  void complete(TlsContext context) throws IOException {
    if (peer == null) {
      throw fail(DtlsFailure.Reason.FINGERPRINT_MISMATCH, AlertDescription.handshake_failure,
          "handshake completed without a verified peer certificate");
    }
    if (selected == null) {
      throw srtpFailure("handshake completed without use_srtp");
    }
    byte[] material = context.exportKeyingMaterial(
        ExporterLabel.dtls_srtp, null, selected.keyingMaterialLength());
    try {
      keys = SrtpKeys.fromDtlsExport(selected, material, role == DtlsRole.CLIENT);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  int[] offeredProfileIds() {
    return profiles.stream().mapToInt(SrtpProfile::id).toArray();
  }

  SrtpKeys keys() {
    return keys;
  }

  PeerCertificate peer() {
    return peer;
  }

  /** Why we aborted the handshake, when it was one of our own checks. */
  DtlsFailure failure() {
    return failure;
  }

  private TlsFatalAlert srtpFailure(String message) {
    stats.srtpNegotiationFailures.increment();
    return fail(DtlsFailure.Reason.SRTP_NEGOTIATION_FAILED, AlertDescription.handshake_failure,
        message);
  }

  private TlsFatalAlert fail(DtlsFailure.Reason reason, short alert, String message) {
    failure = new DtlsFailure(reason, message);
    log.warn("{}: DTLS handshake refused: {}", label, failure);
    return new TlsFatalAlert(alert, message);
  }

  private static String describe(int[] ids) {
    return Arrays.stream(ids)
        .mapToObj(id -> {
          SrtpProfile p = SrtpProfile.ofId(id);
          return p != null ? p.name() : String.format("0x%04X", id);
        })
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
