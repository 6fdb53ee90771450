package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Handshakes between our client and server roles over an in-memory link (RFC 5764, RFC 6347). */
class DtlsHandshakeTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @ParameterizedTest
  @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  void bothSidesExportTheSameSrtpKeys(SrtpProfile profile) throws Exception {
    DtlsConfig config = DtlsConfig.defaults().withSrtpProfiles(profile);
    try (TestPeers peers = new TestPeers(config, config, MemoryLink.perfect()).open()) {
      SrtpKeys server = peers.serverEvents.awaitKeys(WAIT);
      SrtpKeys client = peers.clientEvents.awaitKeys(WAIT);

      assertThat(server.profile()).isEqualTo(profile);
      assertThat(client.profile()).isEqualTo(profile);
      assertThat(client.localMasterKey()).hasSize(profile.keyLength())
          .isEqualTo(server.remoteMasterKey());
      assertThat(client.localMasterSalt()).hasSize(profile.saltLength())
          .isEqualTo(server.remoteMasterSalt());
      assertThat(server.localMasterKey()).isEqualTo(client.remoteMasterKey());
      assertThat(server.localMasterSalt()).isEqualTo(client.remoteMasterSalt());
      assertThat(server.localMasterKey()).isNotEqualTo(server.remoteMasterKey());

      assertThat(peers.serverEvents.peer.get().sha256()).isEqualTo(TestPeers.CLIENT_CERT.fingerprint());
      assertThat(peers.clientEvents.peer.get().sha256()).isEqualTo(TestPeers.SERVER_CERT.fingerprint());
      assertThat(peers.serverEvents.thread).isEqualTo("link-a");
      assertThat(peers.server.isConnected()).isTrue();
      assertThat(peers.serverStack.stats().handshakesCompleted()).isEqualTo(1);
    }
  }

  @Test
  void gcmIsPreferredWhenBothProfilesAreOffered() throws Exception {
    DtlsConfig clientConfig = DtlsConfig.defaults()
        .withSrtpProfiles(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM);
    try (TestPeers peers =
        new TestPeers(DtlsConfig.defaults(), clientConfig, MemoryLink.perfect()).open()) {
      assertThat(peers.clientEvents.awaitKeys(WAIT).profile())
          .isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    }
  }

  /** RFC 6347 §4.2.4: lost and reordered flights are retransmitted until the handshake ends. */
  @ParameterizedTest(name = "{0}% loss")
  @ValueSource(ints = {0, 10, 30})
  void handshakeCompletesThroughALossyReorderingLink(int lossPercent) throws Exception {
    // Timers scaled down tenfold for an in-memory link with millisecond delays; the backoff is
    // Bouncy Castle's, and the deadline is the production one.
    DtlsConfig config = DtlsConfig.defaults().withInitialRetransmit(Duration.ofMillis(100));
    MemoryLink link = new MemoryLink(lossPercent / 100.0, 5, Long.getLong("seed", 42) + lossPercent);
    try (TestPeers peers = new TestPeers(config, config, link).open()) {
      SrtpKeys server = peers.serverEvents.awaitKeys(WAIT);
      SrtpKeys client = peers.clientEvents.awaitKeys(WAIT);
      assertThat(client.localMasterKey()).isEqualTo(server.remoteMasterKey());
    }
  }

  @Test
  void applicationDataFlowsBothWaysAndCloseNotifyReachesThePeer() throws Exception {
    try (TestPeers peers = new TestPeers(MemoryLink.perfect()).open()) {
      peers.serverEvents.awaitKeys(WAIT);
      peers.clientEvents.awaitKeys(WAIT);

      assertThat(peers.client.send(bytes("ping"), 0, 4)).isTrue();
      assertThat(peers.serverEvents.awaitData(WAIT)).isEqualTo(bytes("ping"));
      assertThat(peers.server.send(bytes("pong"), 0, 4)).isTrue();
      assertThat(peers.clientEvents.awaitData(WAIT)).isEqualTo(bytes("pong"));

      peers.client.close();
      assertThat(peers.clientEvents.closedByPeer.get()).isFalse();
      assertThat(peers.serverEvents.closedByPeer.get()).isTrue();
      assertThat(peers.server.isConnected()).isFalse();
      assertThat(peers.server.send(bytes("late"), 0, 4)).isFalse();
      Thread.sleep(50);
      assertThat(peers.serverEvents.terminalCalls.get()).isEqualTo(1);
      assertThat(peers.clientEvents.terminalCalls.get()).isEqualTo(1);
    }
  }

  @Test
  void applicationDataLargerThanTheMtuIsRefused() throws Exception {
    try (TestPeers peers = new TestPeers(MemoryLink.perfect()).open()) {
      peers.clientEvents.awaitKeys(WAIT);
      byte[] big = new byte[1300];
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> peers.client.send(big, 0, big.length))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("record limit");
    }
  }

  @ParameterizedTest
  @EnumSource(Fingerprint.HashFunction.class)
  void anyDeclaredHashFunctionIsVerified(Fingerprint.HashFunction hash) throws Exception {
    try (TestPeers peers = new TestPeers(MemoryLink.perfect())) {
      peers.open(List.of(TestPeers.CLIENT_CERT.fingerprint(hash)),
          List.of(TestPeers.SERVER_CERT.fingerprint(hash)));
      assertThat(peers.serverEvents.awaitKeys(WAIT)).isNotNull();
      assertThat(peers.serverEvents.peer.get().matched().hashFunction()).isEqualTo(hash);
    }
  }

  @Test
  void serverRejectsAClientWhoseCertificateIsNotTheDeclaredOne() throws Exception {
    Fingerprint someoneElse = DtlsCertificate.generate().fingerprint();
    try (TestPeers peers = new TestPeers(MemoryLink.perfect())) {
      peers.open(List.of(someoneElse), List.of(TestPeers.SERVER_CERT.fingerprint()));

      DtlsFailure server = peers.serverEvents.awaitFailure(WAIT);
      assertThat(server.reason()).isEqualTo(DtlsFailure.Reason.FINGERPRINT_MISMATCH);
      assertThat(server.message())
          .contains(TestPeers.CLIENT_CERT.fingerprint().toSdp())
          .contains(someoneElse.toSdp());
      DtlsFailure client = peers.clientEvents.awaitFailure(WAIT);
      assertThat(client.reason()).isEqualTo(DtlsFailure.Reason.ALERT_RECEIVED);
      assertThat(client.message()).contains("bad_certificate");
      assertThat(peers.serverStack.stats().fingerprintMismatches()).isEqualTo(1);
      assertThat(peers.server.isConnected()).isFalse();
      assertThat(peers.serverEvents.keys).isCompletedExceptionally();
    }
  }

  @Test
  void clientRejectsAServerWhoseCertificateIsNotTheDeclaredOne() throws Exception {
    Fingerprint someoneElse = DtlsCertificate.generate().fingerprint(Fingerprint.HashFunction.SHA_384);
    try (TestPeers peers = new TestPeers(MemoryLink.perfect())) {
      peers.open(List.of(TestPeers.CLIENT_CERT.fingerprint()), List.of(someoneElse));

      assertThat(peers.clientEvents.awaitFailure(WAIT).reason())
          .isEqualTo(DtlsFailure.Reason.FINGERPRINT_MISMATCH);
      assertThat(peers.serverEvents.awaitFailure(WAIT).reason())
          .isEqualTo(DtlsFailure.Reason.ALERT_RECEIVED);
      assertThat(peers.clientStack.stats().fingerprintMismatches()).isEqualTo(1);
    }
  }

  @Test
  void noCommonSrtpProfileFailsClearly() throws Exception {
    DtlsConfig serverConfig = DtlsConfig.defaults().withSrtpProfiles(SrtpProfile.AEAD_AES_128_GCM);
    DtlsConfig clientConfig =
        DtlsConfig.defaults().withSrtpProfiles(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    try (TestPeers peers =
        new TestPeers(serverConfig, clientConfig, MemoryLink.perfect()).open()) {
      DtlsFailure server = peers.serverEvents.awaitFailure(WAIT);
      assertThat(server.reason()).isEqualTo(DtlsFailure.Reason.SRTP_NEGOTIATION_FAILED);
      assertThat(server.message())
          .contains("no common SRTP protection profile")
          .contains("AES_CM_128_HMAC_SHA1_80")
          .contains("AEAD_AES_128_GCM");
      assertThat(peers.clientEvents.awaitFailure(WAIT).reason())
          .isEqualTo(DtlsFailure.Reason.ALERT_RECEIVED);
      assertThat(peers.serverStack.stats().srtpNegotiationFailures()).isEqualTo(1);
    }
  }

  @Test
  void handshakeTimesOutWhenThePeerNeverAnswers() throws Exception {
    DtlsConfig config = DtlsConfig.defaults()
        .withHandshakeTimeout(Duration.ofMillis(800))
        .withInitialRetransmit(Duration.ofMillis(100));
    MemoryLink link = MemoryLink.perfect();
    link.b.blackhole = true; // the client's datagrams never arrive
    try (TestPeers peers = new TestPeers(config, config, link).open()) {
      long start = System.nanoTime();
      DtlsFailure failure = peers.clientEvents.awaitFailure(WAIT);
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(failure.reason()).isEqualTo(DtlsFailure.Reason.HANDSHAKE_TIMEOUT);
      assertThat(tookMillis).isBetween(700L, 3000L);
      // retransmitted with backoff: 100, 200, 400 ms → the ClientHello went out 3 or 4 times
      assertThat(link.b.sent.get()).isBetween(3, 5);
      assertThat(peers.clientStack.stats().handshakeTimeouts()).isEqualTo(1);
      assertThat(peers.clientStack.stats().handshakesInProgress()).isZero();
      // the server never saw a ClientHello, so it never used a thread
      assertThat(peers.serverStack.stats().handshakesStarted()).isZero();
    }
  }

  @Test
  void closingDuringTheHandshakeReportsClosedAndStopsSending() throws Exception {
    MemoryLink link = MemoryLink.perfect();
    link.b.blackhole = true;
    try (TestPeers peers = new TestPeers(link).open()) {
      Thread.sleep(100);
      peers.client.close();
      assertThat(peers.clientEvents.awaitFailure(WAIT)).isNull();
      assertThat(peers.clientEvents.closedByPeer.get()).isFalse();
      int sent = link.b.sent.get();
      Thread.sleep(1500); // past the first retransmission
      assertThat(link.b.sent.get()).isEqualTo(sent);
      assertThat(peers.clientStack.stats().handshakesInProgress()).isZero();
      assertThat(peers.clientStack.stats().handshakesFailed()).isZero();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
