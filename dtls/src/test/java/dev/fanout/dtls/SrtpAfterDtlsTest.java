package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 5764 §4.2: the keys each side derives from the handshake protect SRTP that the other side
 * unprotects, through the rtp module's {@link SrtpSession} as sfu-core uses it.
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
      assertThat(client.profile()).isEqualTo(profile);

      byte[] original = rtpPacket();
      byte[] buffer = Arrays.copyOf(original, original.length + 64);
      PacketBuffer packet = new PacketBuffer().wrap(buffer, 0, original.length, buffer.length);

      try (SrtpSession sending = SrtpSession.create(client);
          SrtpSession receiving = SrtpSession.create(server)) {
        assertThat(sending.protectRtp(packet)).isEqualTo(SrtpStatus.OK);
        assertThat(packet.getLength()).isEqualTo(original.length + profile.rtpAuthTagLength());
        byte[] protectedBytes = Arrays.copyOf(buffer, packet.getLength());
        assertThat(Arrays.copyOf(protectedBytes, original.length)).isNotEqualTo(original);

        assertThat(receiving.unprotectRtp(packet)).isEqualTo(SrtpStatus.OK);
        assertThat(Arrays.copyOf(buffer, packet.getLength())).isEqualTo(original);

        // The server's own sending keys are not the client's: the client's packet does not
        // authenticate under them.
        byte[] again = Arrays.copyOf(protectedBytes, protectedBytes.length + 64);
        try (SrtpSession wrong = SrtpSession.create(client)) {
          PacketBuffer misdirected = new PacketBuffer().wrap(again, 0, protectedBytes.length, again.length);
          assertThat(wrong.unprotectRtp(misdirected)).isEqualTo(SrtpStatus.AUTH_FAILED);
        }
      }
    }
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
}
