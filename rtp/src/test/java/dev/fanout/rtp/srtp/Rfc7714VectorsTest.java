package dev.fanout.rtp.srtp;

import static dev.fanout.rtp.srtp.SrtpReference.concat;
import static dev.fanout.rtp.srtp.SrtpReference.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.Hex;
import javax.crypto.Cipher;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.SrtpCipherGcm;
import org.junit.jupiter.api.Test;

/**
 * RFC 7714 §16.1 (AEAD_AES_128_GCM, SRTP) and §17.1 (SRTCP). The vectors are stated with session
 * keys, below jitsi-srtp's key derivation, so they run on the GCM cipher its contexts use (OpenSSL
 * when loaded); {@link SrtpSessionTest} then ties the session to the same construction.
 */
class Rfc7714VectorsTest {
  private static final byte[] KEY = Hex.bytes("000102030405060708090a0b0c0d0e0f");
  private static final byte[] SALT = Hex.bytes("517569642070726f2071756f"); // "Quid pro quo"

  // §16.1: header 8040f17b 8041f8d3 5501a0b2 (V=2, PT=64, SEQ=0xf17b, TS, SSRC=0x5501a0b2), ROC 0,
  // payload "Gallia est omnis divisa in partes tres"
  private static final byte[] RTP = Hex.bytes(
      "8040f17b 8041f8d3 5501a0b2"
          + "47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573");
  private static final String RTP_IV = "51753c6580c2726f20718414";
  // §16.1.1: header, ciphertext, 16-byte tag
  private static final byte[] SRTP = Hex.bytes(
      "8040f17b 8041f8d3 5501a0b2"
          + "f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833"
          + "899d7f27 beb16a91 52cf765e e4390cce");

  // §17.1: SR from SSRC "Mars" (0x4d617273) with a report block; SRTCP index 0x5d4, E bit set
  private static final byte[] RTCP = Hex.bytes(
      "81c8000d 4d617273"
          + "4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
          + "deadbeef deadbeef deadbeef deadbeef deadbeef");
  private static final String RTCP_IV = "517524055203726f207170bb"; // salt ^ 0000 Mars 0000 000005d4
  private static final byte[] SRTCP = Hex.bytes(
      "81c8000d 4d617273"
          + "63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda"
          + "4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade"
          + "800005d4");

  @Test
  void section16_1IvIsTheSaltXoredWithSsrcRocAndSeq() {
    assertThat(Hex.of(SrtpReference.gcmIv(SALT, 0x5501a0b2, 0xf17b))).isEqualTo(RTP_IV);
    assertThat(Hex.of(SrtpReference.gcmIv(SALT, 0x4d617273, 0x5d4))).isEqualTo(RTCP_IV);
  }

  @Test
  void section16_1_1EncryptionOnJitsiSrtpsGcmCipher() throws Exception {
    byte[] packet = new byte[RTP.length + 16];
    System.arraycopy(RTP, 0, packet, 0, RTP.length);
    SrtpCipherGcm gcm = jitsiGcm();
    gcm.setIV(Hex.bytes(RTP_IV), Cipher.ENCRYPT_MODE);
    gcm.processAAD(packet, 0, 12);
    int n = gcm.process(packet, 12, RTP.length - 12);
    assertThat(n).isEqualTo(RTP.length - 12 + 16);
    assertThat(Hex.of(packet)).isEqualTo(Hex.of(SRTP));
  }

  @Test
  void section16_1_2DecryptionOnJitsiSrtpsGcmCipher() throws Exception {
    byte[] packet = SRTP.clone();
    SrtpCipherGcm gcm = jitsiGcm();
    gcm.setIV(Hex.bytes(RTP_IV), Cipher.DECRYPT_MODE);
    gcm.processAAD(packet, 0, 12);
    int n = gcm.process(packet, 12, packet.length - 12);
    assertThat(Hex.of(packet, 0, 12 + n)).isEqualTo(Hex.of(RTP));
  }

  @Test
  void section16_1_EncryptionOfTheReference() throws Exception {
    byte[] sealed = SrtpReference.gcmSeal(KEY, Hex.bytes(RTP_IV), slice(RTP, 0, 12), slice(RTP, 12, RTP.length));
    assertThat(Hex.of(concat(slice(RTP, 0, 12), sealed))).isEqualTo(Hex.of(SRTP));
  }

  /** §17.1: the AAD is the 8-byte header and the trailing E‖SRTCP index word. */
  @Test
  void section17_1SrtcpEncryptionOnJitsiSrtpsGcmCipher() throws Exception {
    byte[] index = Hex.bytes("800005d4");
    byte[] packet = new byte[RTCP.length + 16];
    System.arraycopy(RTCP, 0, packet, 0, RTCP.length);
    SrtpCipherGcm gcm = jitsiGcm();
    gcm.setIV(Hex.bytes(RTCP_IV), Cipher.ENCRYPT_MODE);
    gcm.processAAD(packet, 0, 8);
    gcm.processAAD(index, 0, 4);
    int n = gcm.process(packet, 8, RTCP.length - 8);
    byte[] srtcp = concat(slice(packet, 0, 8 + n), index);
    assertThat(Hex.of(srtcp)).isEqualTo(Hex.of(SRTCP));
  }

  @Test
  void section17_1SrtcpEncryptionOfTheReference() throws Exception {
    byte[] index = Hex.bytes("800005d4");
    byte[] sealed = SrtpReference.gcmSeal(KEY, Hex.bytes(RTCP_IV),
        concat(slice(RTCP, 0, 8), index), slice(RTCP, 8, RTCP.length));
    assertThat(Hex.of(concat(slice(RTCP, 0, 8), sealed, index))).isEqualTo(Hex.of(SRTCP));
  }

  private static SrtpCipherGcm jitsiGcm() throws Exception {
    SrtpCrypto.preferOpenSsl();
    SrtpCipherGcm gcm = new SrtpCipherGcm(Aes.createCipher("AES/GCM/NoPadding"));
    gcm.init(KEY, SALT);
    return gcm;
  }
}
