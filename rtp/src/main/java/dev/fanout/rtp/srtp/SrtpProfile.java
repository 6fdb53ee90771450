package dev.fanout.rtp.srtp;

/**
 * The DTLS-SRTP protection profiles Fanout negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2), with the
 * master key and salt lengths each uses.
 */
public enum SrtpProfile {
  /** RFC 7714: AES-128 in GCM, 16-byte tag; preferred. */
  AEAD_AES_128_GCM(0x0007, 16, 12, 16),
  /** RFC 3711 default: AES-128 counter mode, HMAC-SHA1 with an 80-bit tag. */
  AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10),
  /** As above with a 32-bit tag on RTP (SRTCP keeps 80 bits, RFC 5764 §4.1.2). */
  AES_CM_128_HMAC_SHA1_32(0x0002, 16, 14, 4);

  private final int id;
  private final int keyLength;
  private final int saltLength;
  private final int rtpAuthTagLength;

  SrtpProfile(int id, int keyLength, int saltLength, int rtpAuthTagLength) {
    this.id = id;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
    this.rtpAuthTagLength = rtpAuthTagLength;
  }

  /** The SRTPProtectionProfile value of the use_srtp extension. */
  public int id() {
    return id;
  }

  public int keyLength() {
    return keyLength;
  }

  public int saltLength() {
    return saltLength;
  }

  /** Bytes SRTP appends to an RTP packet (auth tag; GCM's tag counts here too). */
  public int rtpAuthTagLength() {
    return rtpAuthTagLength;
  }

  /** Bytes of DTLS keying material needed: two keys and two salts (RFC 5764 §4.2). */
  public int keyingMaterialLength() {
    return 2 * (keyLength + saltLength);
  }

  /** The profile with a use_srtp id, or null when Fanout does not support it. */
  public static SrtpProfile ofId(int id) {
    for (SrtpProfile p : values()) {
      if (p.id == id) {
        return p;
      }
    }
    return null;
  }
}
