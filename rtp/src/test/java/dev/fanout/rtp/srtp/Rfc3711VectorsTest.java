package dev.fanout.rtp.srtp;

import static dev.fanout.rtp.srtp.SrtpReference.LABEL_RTP_AUTH;
import static dev.fanout.rtp.srtp.SrtpReference.LABEL_RTP_ENCRYPTION;
import static dev.fanout.rtp.srtp.SrtpReference.LABEL_RTP_SALT;
import static dev.fanout.rtp.srtp.SrtpReference.concat;
import static dev.fanout.rtp.srtp.SrtpReference.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.Hex;
import dev.fanout.rtp.RtpWriter;
import javax.crypto.Cipher;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.SrtpCipherCtr;
import org.junit.jupiter.api.Test;

/** RFC 3711 Appendix B.2 (AES-CM keystream) and B.3 (key derivation). */
class Rfc3711VectorsTest {
  // B.2
  private static final byte[] B2_SESSION_KEY = Hex.bytes("2B7E151628AED2A6ABF7158809CF4F3C");
  private static final byte[] B2_SESSION_SALT = Hex.bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
  private static final int B2_SEGMENT = 1044512; // 65282 AES blocks
  private static final String B2_FIRST_BLOCKS =
      "E03EAD0935C95E80E166B16DD92B4EB4" // counter ...0000
          + "D23513162B02D0F72A43A2FE4A5F97AB" // counter ...0001
          + "41E95B3BB0A2E8DD477901E4FCA894C0"; // counter ...0002
  private static final String B2_LAST_BLOCKS =
      "EC8CDF7398607CB0F2D21675EA9EA1E4" // counter ...FEFF
          + "362B7C3C6773516318A077D7FC5073AE" // counter ...FF00
          + "6A2CC3787889374FBEB4C81B17BA6C44"; // counter ...FF01

  // B.3
  private static final byte[] B3_MASTER_KEY = Hex.bytes("E1F97A0D3E018BE0D64FA32C06DE4139");
  private static final byte[] B3_MASTER_SALT = Hex.bytes("0EC675AD498AFEEBB6960B3AABE6");
  private static final byte[] B3_CIPHER_KEY = Hex.bytes("C61E7A93744F39EE10734AFE3FF7A087");
  private static final byte[] B3_CIPHER_SALT = Hex.bytes("30CBBC08863D8C85D49DB34A9AE1");
  private static final byte[] B3_AUTH_KEY = Hex.bytes(
      "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
          + "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
          + "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2");

  @Test
  void b2KeystreamOfJitsiSrtpsCounterModeCipher() throws Exception {
    // SSRC, ROC and SEQ are zero, so the counter block is the salt shifted by 16 bits.
    byte[] iv = SrtpReference.cmIv(B2_SESSION_SALT, 0, 0);
    assertThat(Hex.of(iv)).isEqualToIgnoringCase("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");

    SrtpCrypto.preferOpenSsl();
    SrtpCipherCtr ctr = new SrtpCipherCtr(Aes.createCipher("AES/CTR/NoPadding"));
    ctr.init(B2_SESSION_KEY, null);
    ctr.setIV(iv, Cipher.ENCRYPT_MODE);
    byte[] keystream = new byte[B2_SEGMENT];
    ctr.process(keystream, 0, keystream.length);

    assertThat(Hex.of(keystream, 0, 48)).isEqualToIgnoringCase(B2_FIRST_BLOCKS);
    assertThat(Hex.of(keystream, B2_SEGMENT - 48, 48)).isEqualToIgnoringCase(B2_LAST_BLOCKS);
  }

  @Test
  void b2KeystreamOfTheReference() throws Exception {
    byte[] keystream = SrtpReference.aesCtr(
        B2_SESSION_KEY, SrtpReference.cmIv(B2_SESSION_SALT, 0, 0), new byte[B2_SEGMENT]);
    assertThat(Hex.of(keystream, 0, 48)).isEqualToIgnoringCase(B2_FIRST_BLOCKS);
    assertThat(Hex.of(keystream, B2_SEGMENT - 48, 48)).isEqualToIgnoringCase(B2_LAST_BLOCKS);
  }

  @Test
  void b3KeyDerivationOfTheReference() throws Exception {
    assertThat(SrtpReference.derive(B3_MASTER_KEY, B3_MASTER_SALT, LABEL_RTP_ENCRYPTION, 16))
        .isEqualTo(B3_CIPHER_KEY);
    assertThat(SrtpReference.derive(B3_MASTER_KEY, B3_MASTER_SALT, LABEL_RTP_SALT, 14))
        .isEqualTo(B3_CIPHER_SALT);
    assertThat(SrtpReference.derive(B3_MASTER_KEY, B3_MASTER_SALT, LABEL_RTP_AUTH, 94))
        .isEqualTo(B3_AUTH_KEY);
  }

  /**
   * B.3 through the session: a packet protected under the B.3 master key must equal the same
   * packet encrypted and authenticated by hand with the session keys B.3 lists, which is only
   * possible if jitsi-srtp derived exactly those keys.
   */
  @Test
  void b3SessionKeysAreWhatTheSessionUses() throws Exception {
    SrtpKeys keys = new SrtpKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80,
        B3_MASTER_KEY, B3_MASTER_SALT, new byte[16], new byte[14]);
    int ssrc = 0xdecafbad;
    int seq = 0x1234;
    byte[] payload = Hex.bytes("abababababababababababababababab");
    byte[] rtp = new RtpWriter().payloadType(15).sequenceNumber(seq).timestamp(0xdeadbeefL)
        .ssrc(ssrc).payload(payload).toByteArray();

    byte[] out = new byte[rtp.length + 10];
    try (SrtpSession session = SrtpSession.create(keys)) {
      PacketBuffer dst = new PacketBuffer(out, 0, 0);
      assertThat(session.protectRtp(rtp, 0, rtp.length, dst)).isEqualTo(SrtpStatus.OK);
      assertThat(dst.getLength()).isEqualTo(rtp.length + 10);
    }

    byte[] header = slice(rtp, 0, 12);
    byte[] encrypted = SrtpReference.aesCtr(
        B3_CIPHER_KEY, SrtpReference.cmIv(B3_CIPHER_SALT, ssrc, seq), payload);
    byte[] tag = slice(SrtpReference.hmacSha1(slice(B3_AUTH_KEY, 0, 20),
        header, encrypted, SrtpReference.be32(0)), 0, 10);
    assertThat(Hex.of(out)).isEqualTo(Hex.of(concat(header, encrypted, tag)));
  }
}
