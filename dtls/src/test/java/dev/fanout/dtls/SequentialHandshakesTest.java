package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** No thread outlives its handshake: many handshakes in a row leave the thread count flat. */
class SequentialHandshakesTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  /**
   * Threads other than the handshake pools' stay exactly as they were, and each pool stays at the
   * few threads sequential handshakes need, far below its limit of 16, whatever the number of
   * handshakes. (More than one only when a handshake starts while the previous handshake's
   * thread, its listener already told, has not yet got back to the pool: a busy machine can
   * preempt it there.)
   */
  @Test
  void twoHundredSequentialHandshakesDoNotGrowTheLiveThreads() throws Exception {
    try (DtlsStack serverStack = new DtlsStack(TestPeers.SERVER_CERT);
        DtlsStack clientStack = new DtlsStack(TestPeers.CLIENT_CERT);
        MemoryLink link = MemoryLink.perfect()) {
      for (int i = 0; i < 10; i++) {
        handshake(serverStack, clientStack, link);
      }
      Set<String> before = otherThreads();

      for (int i = 0; i < 200; i++) {
        handshake(serverStack, clientStack, link);
      }

      assertThat(otherThreads()).isEqualTo(before);
      assertThat(DtlsBadInputTest.handshakeThreads(serverStack)).isBetween(1L, 4L);
      assertThat(DtlsBadInputTest.handshakeThreads(clientStack)).isBetween(1L, 4L);
      assertThat(serverStack.stats().handshakesCompleted()).isEqualTo(210);
      assertThat(clientStack.stats().handshakesCompleted()).isEqualTo(210);
      assertThat(serverStack.stats().handshakesInProgress()).isZero();
    }
  }

  /** Names of live threads that are not DTLS handshake threads. */
  private static Set<String> otherThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !t.getName().startsWith("fanout-dtls-")) {
        names.add(t.getName() + "#" + t.getId());
      }
    }
    return names;
  }

  private static void handshake(DtlsStack serverStack, DtlsStack clientStack, MemoryLink link)
      throws Exception {
    Recorder serverEvents = new Recorder();
    Recorder clientEvents = new Recorder();
    DtlsConnection server = serverStack.newConnection(DtlsRole.SERVER)
        .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
        .sender(link.a.sender())
        .listener(serverEvents, link.a.loop)
        .open();
    link.a.connection = server;
    DtlsConnection client = clientStack.newConnection(DtlsRole.CLIENT)
        .remoteFingerprint(TestPeers.SERVER_CERT.fingerprint())
        .sender(link.b.sender())
        .listener(clientEvents, link.b.loop)
        .open();
    link.b.connection = client;
    serverEvents.awaitKeys(WAIT);
    clientEvents.awaitKeys(WAIT);
    client.close();
    assertThat(serverEvents.closedByPeer.get()).isTrue();
    server.close();
  }
}
