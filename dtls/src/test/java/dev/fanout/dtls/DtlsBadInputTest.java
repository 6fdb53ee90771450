package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Garbage, replays and floods: bounded memory and threads, clear errors, nobody else hurt. */
class DtlsBadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void garbageOnAnEstablishedAssociationIsDroppedAndDataStillFlows() throws Exception {
    try (TestPeers peers = new TestPeers(MemoryLink.perfect()).open()) {
      peers.serverEvents.awaitKeys(WAIT);
      peers.clientEvents.awaitKeys(WAIT);
      long droppedBefore = peers.serverStack.stats().datagramsDropped();

      Random random = new Random(5);
      for (int i = 0; i < 5000; i++) {
        peers.link.a.inject(garbage(random, i));
      }
      peers.client.send(ascii("still here"), 0, 10);

      assertThat(peers.serverEvents.awaitData(WAIT)).isEqualTo(ascii("still here"));
      assertThat(peers.server.isConnected()).isTrue();
      assertThat(peers.serverEvents.ended).isNotDone();
      assertThat(peers.serverStack.stats().datagramsDropped()).isGreaterThan(droppedBefore);
    }
  }

  @Test
  void aSecondClientHelloAfterTheHandshakeIsIgnored() throws Exception {
    byte[] clientHello = captureClientHello();
    try (TestPeers peers = new TestPeers(MemoryLink.perfect()).open()) {
      peers.serverEvents.awaitKeys(WAIT);
      peers.clientEvents.awaitKeys(WAIT);

      peers.link.a.inject(clientHello);
      peers.link.a.inject(clientHello);
      peers.client.send(ascii("after"), 0, 5);

      assertThat(peers.serverEvents.awaitData(WAIT)).isEqualTo(ascii("after"));
      assertThat(peers.serverStack.stats().clientHellosIgnored()).isEqualTo(2);
      assertThat(peers.serverStack.stats().handshakesStarted()).isEqualTo(1);
      assertThat(peers.server.isConnected()).isTrue();
    }
  }

  @Test
  void aServerIgnoresEverythingButAClientHelloUntilOneArrives() throws Exception {
    try (DtlsStack stack = new DtlsStack(TestPeers.SERVER_CERT);
        MemoryLink link = MemoryLink.perfect()) {
      Recorder events = new Recorder();
      link.a.connection = stack.newConnection(DtlsRole.SERVER)
          .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
          .sender(ByteBuf::release)
          .listener(events, link.a.loop)
          .open();
      Random random = new Random(9);
      for (int i = 0; i < 100; i++) {
        byte[] g = new byte[13 + random.nextInt(100)];
        random.nextBytes(g);
        g[0] = (byte) (20 + random.nextInt(44));
        link.a.inject(g);
      }
      link.a.loop.submit(() -> { }).get();

      assertThat(stack.stats().handshakesStarted()).isZero();
      assertThat(stack.stats().datagramsDropped()).isEqualTo(100);
      assertThat(events.ended).isNotDone();
    }
  }

  @Test
  void aMalformedClientHelloFailsTheHandshakeWithAClearReason() throws Exception {
    try (DtlsStack stack = new DtlsStack(TestPeers.SERVER_CERT);
        MemoryLink link = MemoryLink.perfect()) {
      Recorder events = new Recorder();
      link.a.connection = stack.newConnection(DtlsRole.SERVER)
          .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
          .sender(ByteBuf::release)
          .listener(events, link.a.loop)
          .open();
      byte[] hello = captureClientHello();
      // claim a body longer than the record: the handshake message cannot be parsed
      hello[13 + 1] = 0x7F;
      link.a.inject(hello);

      DtlsFailure failure = events.awaitFailure(WAIT);
      assertThat(failure.reason()).isIn(DtlsFailure.Reason.PROTOCOL_ERROR,
          DtlsFailure.Reason.HANDSHAKE_TIMEOUT);
      assertThat(stack.stats().handshakesInProgress()).isZero();
    }
  }

  /**
   * A flood of handshakes that never finish: at most {@code maxHandshakes} in progress (one
   * thread each), the overflow refused at once (none is old enough to give way), the rest timed
   * out, and an established association on the same stack keeps working throughout.
   */
  @Test
  void aFloodOfHandshakesIsBoundedAndDisturbsNobody() throws Exception {
    DtlsConfig small = DtlsConfig.defaults()
        .withMaxHandshakes(4)
        .withInitialRetransmit(Duration.ofMillis(200))
        .withHandshakeTimeout(Duration.ofSeconds(1));
    byte[] clientHello = captureClientHello();
    try (TestPeers peers = new TestPeers(small, DtlsConfig.defaults(), MemoryLink.perfect())
        .open()) {
      peers.serverEvents.awaitKeys(WAIT);
      peers.clientEvents.awaitKeys(WAIT);

      List<Recorder> flood = new ArrayList<>();
      List<DtlsConnection> connections = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Recorder r = new Recorder();
        DtlsConnection c = peers.serverStack.newConnection(DtlsRole.SERVER)
            .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
            .sender(ByteBuf::release)
            .listener(r, Runnable::run)
            .label("flood-" + i)
            .open();
        c.onDatagram(clientHello, 0, clientHello.length);
        // and keep pushing datagrams at it: its queue stays bounded
        for (int j = 0; j < 200; j++) {
          c.onDatagram(clientHello, 0, clientHello.length);
        }
        flood.add(r);
        connections.add(c);
      }
      assertThat(handshakeThreads(peers.serverStack)).isLessThanOrEqualTo(4);
      assertThat(peers.serverStack.stats().overloadRejections()).isEqualTo(36);

      // the established association is untouched
      peers.client.send(ascii("during"), 0, 6);
      assertThat(peers.serverEvents.awaitData(WAIT)).isEqualTo(ascii("during"));

      int overloaded = 0;
      int timedOut = 0;
      for (Recorder r : flood) {
        DtlsFailure f = r.awaitFailure(Duration.ofSeconds(5));
        if (f.reason() == DtlsFailure.Reason.OVERLOADED) {
          overloaded++;
          assertThat(f.message()).contains("all 4 handshake slots taken");
        } else if (f.reason() == DtlsFailure.Reason.HANDSHAKE_TIMEOUT) {
          timedOut++;
        }
      }
      assertThat(overloaded).isEqualTo(36);
      assertThat(timedOut).isEqualTo(4);
      assertThat(peers.serverStack.stats().handshakesInProgress()).isZero();
      assertThat(peers.serverStack.stats().handshakesEvicted()).isZero();
      assertThat(peers.serverStack.stats().datagramsDropped()).isPositive();
      assertThat(peers.server.isConnected()).isTrue();
      peers.server.send(ascii("after"), 0, 5);
      assertThat(peers.clientEvents.awaitData(WAIT)).isEqualTo(ascii("after"));
      connections.forEach(DtlsConnection::close);
    }
  }

  /**
   * Junk of several shapes: random bytes; a DTLS record header (any content type of 20–24, epoch
   * 0–2) with a random body; and such a header around a handshake fragment header whose lengths
   * add up.
   */
  static byte[] garbage(Random random, int i) {
    byte[] g = new byte[1 + random.nextInt(300)];
    random.nextBytes(g);
    if (i % 2 == 0 && g.length >= 13) {
      g[0] = (byte) (20 + random.nextInt(5));
      g[1] = (byte) 0xFE;
      g[2] = (byte) 0xFD;
      g[3] = 0;
      g[4] = (byte) random.nextInt(3);
      g[11] = (byte) ((g.length - 13) >> 8);
      g[12] = (byte) (g.length - 13);
      if (g.length > 25 && random.nextBoolean()) {
        int body = g.length - 13 - 12;
        g[14] = 0;
        g[15] = (byte) (body >> 8);
        g[16] = (byte) body;
        g[19] = 0;
        g[20] = 0;
        g[21] = 0;
        g[22] = 0;
        g[23] = (byte) (body >> 8);
        g[24] = (byte) body;
      }
    }
    return g;
  }

  /** The first datagram a real client of ours sends. */
  static byte[] captureClientHello() throws Exception {
    CompletableFuture<byte[]> first = new CompletableFuture<>();
    try (DtlsStack stack = new DtlsStack(TestPeers.CLIENT_CERT)) {
      DtlsConnection c = stack.newConnection(DtlsRole.CLIENT)
          .remoteFingerprint(TestPeers.SERVER_CERT.fingerprint())
          .sender(d -> {
            try {
              first.complete(ByteBufUtil.getBytes(d));
            } finally {
              d.release();
            }
          })
          .listener(new Recorder(), Runnable::run)
          .open();
      byte[] hello = first.get(10, TimeUnit.SECONDS);
      c.close();
      assertThat(DtlsRecords.isClientHello(hello)).isTrue();
      return hello;
    }
  }

  /** Live handshake threads of one stack. */
  static long handshakeThreads(DtlsStack stack) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(stack.threadNamePrefix()))
        .count();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
