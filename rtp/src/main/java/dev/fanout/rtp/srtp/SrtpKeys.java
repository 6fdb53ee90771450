package dev.fanout.rtp.srtp;

import java.util.Arrays;

/**
 * The SRTP master keys and salts of one DTLS-SRTP association, from this endpoint's point of
 * view: {@code local*} protects what we send, {@code remote*} unprotects what we receive.
 */
public record SrtpKeys(
    SrtpProfile profile,
    byte[] localMasterKey,
    byte[] localMasterSalt,
    byte[] remoteMasterKey,
    byte[] remoteMasterSalt) {

  /**
   * Splits the output of the DTLS exporter with label {@code EXTRACTOR-dtls_srtp} (RFC 5764
   * §4.2): client key, server key, client salt, server salt. The DTLS client writes with the
   * client's key and salt.
   *
   * @param dtlsClient whether this endpoint was the DTLS client
   */
  public static SrtpKeys fromDtlsExport(SrtpProfile profile, byte[] material, boolean dtlsClient) {
    int k = profile.keyLength();
    int s = profile.saltLength();
    if (material.length != profile.keyingMaterialLength()) {
      throw new IllegalArgumentException(
          profile + " needs " + profile.keyingMaterialLength() + " bytes of keying material, got "
              + material.length);
    }
    byte[] clientKey = Arrays.copyOfRange(material, 0, k);
    byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
    byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
    byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
    return dtlsClient
        ? new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
        : new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
  }

  /** The same association seen from the other endpoint. */
  public SrtpKeys reversed() {
    return new SrtpKeys(profile, remoteMasterKey, remoteMasterSalt, localMasterKey, localMasterSalt);
  }

  @Override
  public String toString() {
    return "SrtpKeys[" + profile + "]"; // never print key material
  }
}
