package dev.fanout.rtp.srtp;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An independent, straight-from-the-RFC rendering of SRTP on the JDK's own AES and HMAC: the
 * default key derivation (RFC 3711 §4.3.3), AES-CM with HMAC-SHA1 (§4.1.1, §4.2.1) and AES-GCM
 * (RFC 7714 §8–§9). Tests check it against the RFC vectors, then check the jitsi-srtp session
 * against it.
 */
final class SrtpReference {
  static final int LABEL_RTP_ENCRYPTION = 0;
  static final int LABEL_RTP_AUTH = 1;
  static final int LABEL_RTP_SALT = 2;
  static final int LABEL_RTCP_ENCRYPTION = 3;
  static final int LABEL_RTCP_AUTH = 4;
  static final int LABEL_RTCP_SALT = 5;

  private SrtpReference() {}

  /** AES-CM keystream (or encryption of {@code data}) with a 16-byte counter block. */
  static byte[] aesCtr(byte[] key, byte[] iv, byte[] data) throws Exception {
    Cipher c = Cipher.getInstance("AES/CTR/NoPadding", "SunJCE");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    return c.doFinal(data);
  }

  /** RFC 3711 §4.3.1 with key_derivation_rate 0: {@code n} bytes for {@code label}. */
  static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int n) throws Exception {
    byte[] iv = new byte[16];
    System.arraycopy(masterSalt, 0, iv, 0, masterSalt.length);
    iv[7] ^= (byte) label;
    return aesCtr(masterKey, iv, new byte[n]);
  }

  /** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16). */
  static byte[] cmIv(byte[] sessionSalt, int ssrc, long index) {
    byte[] iv = new byte[16];
    System.arraycopy(sessionSalt, 0, iv, 0, 14);
    for (int i = 0; i < 4; i++) {
      iv[4 + i] ^= (byte) (ssrc >>> (24 - 8 * i));
    }
    for (int i = 0; i < 6; i++) {
      iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
    }
    return iv;
  }

  static byte[] hmacSha1(byte[] key, byte[]... parts) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(key, "HmacSHA1"));
    for (byte[] p : parts) {
      mac.update(p);
    }
    return mac.doFinal();
  }

  /** RFC 7714 §8.1 / §9.1: 12-byte IV from SSRC and a 48-bit index (ROC‖SEQ, or 0‖SRTCP index). */
  static byte[] gcmIv(byte[] sessionSalt, int ssrc, long index) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 4; i++) {
      iv[2 + i] = (byte) (ssrc >>> (24 - 8 * i));
    }
    for (int i = 0; i < 6; i++) {
      iv[6 + i] = (byte) (index >>> (40 - 8 * i));
    }
    for (int i = 0; i < 12; i++) {
      iv[i] ^= sessionSalt[i];
    }
    return iv;
  }

  static byte[] gcmSeal(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad);
    return c.doFinal(plaintext);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }

  static byte[] be32(long v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
