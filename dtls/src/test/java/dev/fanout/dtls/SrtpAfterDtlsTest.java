package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import java.time.Duration;
import java.util.Arrays;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 5764 §4.2: the keys each side derives from the handshake protect SRTP that the other side
 * unprotects. Uses jitsi-srtp directly, as the rtp module's SRTP contexts do.
 */
class SrtpAfterDtlsTest {
  private static final int SSRC = 0x1234_5678;

  @ParameterizedTest
  @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  void packetProtectedByTheClientUnprotectsOnTheServer(SrtpProfile profile) throws Exception {
    DtlsConfig config = DtlsConfig.defaults().withSrtpProfiles(profile);
    try (TestPeers peers = new TestPeers(config, config, MemoryLink.perfect()).open()) {
      SrtpKeys client = peers.clientEvents.awaitKeys(Duration.ofSeconds(15));
      SrtpKeys server = peers.serverEvents.awaitKeys(Duration.ofSeconds(15));

      byte[] original = rtpPacket();
      Packet packet = new Packet(original, 64);

      SrtpContextFactory sending = new SrtpContextFactory(true, client.localMasterKey(),
          client.localMasterSalt(), policy(profile), policy(profile), new LoggerImpl("srtp"));
      SrtpCryptoContext protect = sending.deriveContext(SSRC, 0);
      assertThat(protect.transformPacket(packet)).isEqualTo(SrtpErrorStatus.OK);
      assertThat(packet.getLength()).isEqualTo(original.length + profile.rtpAuthTagLength());
      assertThat(packet.bytes()).isNotEqualTo(original);

      SrtpContextFactory receiving = new SrtpContextFactory(false, server.remoteMasterKey(),
          server.remoteMasterSalt(), policy(profile), policy(profile), new LoggerImpl("srtp"));
      SrtpCryptoContext unprotect = receiving.deriveContext(SSRC, 0);
      assertThat(unprotect.reverseTransformPacket(packet, false)).isEqualTo(SrtpErrorStatus.OK);
      assertThat(packet.bytes()).isEqualTo(original);

      // and the server's own sending keys are not the client's: the client's packet does not
      // authenticate under them
      Packet again = new Packet(original, 64);
      SrtpContextFactory clientAgain = new SrtpContextFactory(true, client.localMasterKey(),
          client.localMasterSalt(), policy(profile), policy(profile), new LoggerImpl("srtp"));
      clientAgain.deriveContext(SSRC, 0).transformPacket(again);
      SrtpContextFactory wrong = new SrtpContextFactory(false, server.localMasterKey(),
          server.localMasterSalt(), policy(profile), policy(profile), new LoggerImpl("srtp"));
      assertThat(wrong.deriveContext(SSRC, 0).reverseTransformPacket(again, false))
          .isEqualTo(SrtpErrorStatus.AUTH_FAIL);
    }
  }

  private static SrtpPolicy policy(SrtpProfile profile) {
    return switch (profile) {
      case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, profile.keyLength(),
          SrtpPolicy.NULL_AUTHENTICATION, 0, profile.rtpAuthTagLength(), profile.saltLength());
      default -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, profile.keyLength(),
          SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, profile.rtpAuthTagLength(),
          profile.saltLength());
    };
  }

  /** Version 2, PT 111, seq 4660, timestamp 1, our SSRC, then 20 bytes of payload. */
  private static byte[] rtpPacket() {
    byte[] p = new byte[32];
    p[0] = (byte) 0x80;
    p[1] = 111;
    p[2] = 0x12;
    p[3] = 0x34;
    p[7] = 1;
    p[8] = 0x12;
    p[9] = 0x34;
    p[10] = 0x56;
    p[11] = 0x78;
    for (int i = 12; i < p.length; i++) {
      p[i] = (byte) i;
    }
    return p;
  }

  /** A packet in an array with spare room at the end for the auth tag. */
  private static final class Packet implements ByteArrayBuffer {
    private byte[] buffer;
    private int offset;
    private int length;

    Packet(byte[] content, int spare) {
      buffer = Arrays.copyOf(content, content.length + spare);
      length = content.length;
    }

    byte[] bytes() {
      return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    @Override
    public byte[] getBuffer() {
      return buffer;
    }

    @Override
    public int getOffset() {
      return offset;
    }

    @Override
    public int getLength() {
      return length;
    }

    @Override
    public void setLength(int len) {
      length = len;
    }

    @Override
    public void setOffset(int off) {
      offset = off;
    }

    @Override
    public boolean isInvalid() {
      return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
      System.arraycopy(buffer, offset + off, out, 0, len);
    }

    @Override
    public void grow(int howMuch) {
      if (offset + length + howMuch > buffer.length) {
        buffer = Arrays.copyOf(buffer, offset + length + howMuch);
      }
    }

    @Override
    public void append(byte[] data, int len) {
      grow(len);
      System.arraycopy(data, 0, buffer, offset + length, len);
      length += len;
    }

    @Override
    public void shrink(int len) {
      length = Math.max(0, length - len);
    }
  }
}
