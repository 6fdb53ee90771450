package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Handshake pool starvation: peers that send one real ClientHello and never finish must not delay
 * a legitimate handshake by more than 500 ms, nor make it fail. Real Bouncy Castle handshakes on
 * both ends; the stalled peers' ClientHellos come from real client connections.
 */
class StalledHandshakesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int SAMPLES = 7;
  private static final long ALLOWED_DELAY_MILLIS = 500;

  /**
   * The attacker keeps {@code stalled} handshakes going for the whole measurement: each stalled
   * peer repeats its ClientHello every 900 ms, as a peer that never hears our answer would (so the
   * silence timeout does not end it), and a handshake that ends anyway (the 10 s deadline) is
   * replaced by a new one. Medians of the same run are compared, unloaded first.
   */
  @ParameterizedTest(name = "{0} stalled handshakes")
  @ValueSource(ints = {40, 100})
  void stalledHandshakesNeitherDelayNorFailALegitimateOne(int stalled) throws Exception {
    try (DtlsStack server = new DtlsStack(TestPeers.SERVER_CERT);
        DtlsStack client = new DtlsStack(TestPeers.CLIENT_CERT)) {
      handshakeMillis(server, client, 3); // warm-up: the first handshakes are cold
      long[] unloaded = handshakeMillis(server, client, SAMPLES);

      long[] loaded;
      int replaced;
      try (Attack attack = new Attack(server, clientHellos(stalled))) {
        // Give the server up to 5 s to answer every ClientHello, so that each stalled handshake
        // holds whatever it holds while waiting for the peer; a starved pool answers only some.
        attack.awaitAnswers(Duration.ofSeconds(5));
        loaded = handshakeMillis(server, client, SAMPLES);
        // the attack was on throughout
        assertThat(server.stats().handshakesInProgress()).isEqualTo(stalled);
        replaced = attack.replaced.get();
      }

      long unloadedMedian = median(unloaded);
      long loadedMedian = median(loaded);
      System.out.println(String.format("%d stalled: legitimate handshake median %d ms unloaded %s,"
              + " %d ms loaded %s; %d stalled handshakes replaced", stalled, unloadedMedian,
          Arrays.toString(unloaded), loadedMedian, Arrays.toString(loaded), replaced));
      assertThat(loadedMedian).isLessThanOrEqualTo(unloadedMedian + ALLOWED_DELAY_MILLIS);
    }
  }

  /**
   * A stalled peer — one ClientHello, then silence — holds its handshake for the silence timeout
   * (4 s by default), not the 10 s deadline, although we retransmit our answer meanwhile.
   */
  @Test
  void aPeerSilentAfterItsClientHelloIsGivenUpAfterTheSilenceTimeout() throws Exception {
    try (DtlsStack server = new DtlsStack(TestPeers.SERVER_CERT)) {
      long start = System.nanoTime();
      Stalled s = new Stalled(server, clientHellos(1).get(0), 0);
      s.repeatClientHello();
      s.answered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      int firstFlight = s.datagramsSent.get();

      DtlsFailure failure = s.events.awaitFailure(WAIT);
      long tookMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(failure.reason()).isEqualTo(DtlsFailure.Reason.HANDSHAKE_TIMEOUT);
      assertThat(failure.message())
          .contains("sent nothing for 4 s after our answer to its ClientHello");
      assertThat(tookMillis).isBetween(3_900L, 9_000L);
      assertThat(s.datagramsSent.get()).as("our flight was retransmitted")
          .isGreaterThan(firstFlight);
      assertThat(server.stats().handshakeTimeouts()).isEqualTo(1);
      assertThat(server.stats().handshakesInProgress()).isZero();
    }
  }

  /**
   * The silence timeout ends only peers that never answered our first flight: a client whose
   * server answered waits past it for the server's last flight, which the server sends again only
   * when the client retransmits (RFC 6347 §4.2.4). Here that flight is lost three times.
   */
  @Test
  void aPeerThatHasAnsweredIsNotGivenUpForSilence() throws Exception {
    DtlsConfig quick = DtlsConfig.defaults()
        .withInitialRetransmit(Duration.ofMillis(100))
        .withSilenceTimeout(Duration.ofMillis(150));
    AtomicInteger finalFlightsLost = new AtomicInteger();
    try (DtlsStack serverStack = new DtlsStack(TestPeers.SERVER_CERT, quick);
        DtlsStack clientStack = new DtlsStack(TestPeers.CLIENT_CERT, quick);
        MemoryLink link = MemoryLink.perfect()) {
      Recorder serverEvents = new Recorder();
      Recorder clientEvents = new Recorder();
      DatagramSender toClient = link.a.sender();
      link.a.connection = serverStack.newConnection(DtlsRole.SERVER)
          .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
          .sender(d -> {
            byte[] bytes = ByteBufUtil.getBytes(d);
            boolean finalFlight =
                (DtlsRecords.scan(bytes) & DtlsRecords.HAS_CHANGE_CIPHER_SPEC) != 0;
            if (finalFlight && finalFlightsLost.getAndIncrement() < 3) {
              d.release();
              return;
            }
            toClient.send(d);
          })
          .listener(serverEvents, link.a.loop)
          .open();
      long start = System.nanoTime();
      link.b.connection = clientStack.newConnection(DtlsRole.CLIENT)
          .remoteFingerprint(TestPeers.SERVER_CERT.fingerprint())
          .sender(link.b.sender())
          .listener(clientEvents, link.b.loop)
          .open();

      assertThat(clientEvents.awaitKeys(WAIT)).isNotNull();
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(finalFlightsLost.get()).isGreaterThan(3);
      assertThat(tookMillis).as("waited past the silence timeout").isGreaterThan(150);
      assertThat(clientStack.stats().handshakeTimeouts()).isZero();
    }
  }

  /**
   * Past the slot limit, a legitimate handshake takes the place of the oldest stalled one (which
   * fails with OVERLOADED) instead of being refused, once that one has run for {@link
   * DtlsStack#EVICTABLE_AGE}; until then new handshakes are refused at once. Three legitimate
   * handshakes in a row all complete.
   */
  @Test
  void pastTheSlotLimitALegitimateHandshakeTakesTheOldestStalledOnesPlace() throws Exception {
    DtlsConfig eightSlots = DtlsConfig.defaults()
        .withMaxHandshakes(8)
        // long enough that only eviction can end the stalled handshakes during this test
        .withSilenceTimeout(Duration.ofSeconds(30))
        .withHandshakeTimeout(Duration.ofSeconds(30));
    try (DtlsStack server = new DtlsStack(TestPeers.SERVER_CERT, eightSlots);
        DtlsStack client = new DtlsStack(TestPeers.CLIENT_CERT)) {
      List<byte[]> hellos = clientHellos(9);
      List<Stalled> stalls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Stalled s = new Stalled(server, hellos.get(i), i);
        s.repeatClientHello();
        stalls.add(s);
      }
      long filledAt = System.nanoTime();
      Stalled refused = new Stalled(server, hellos.get(8), 8);
      refused.repeatClientHello();
      DtlsFailure refusal = refused.events.awaitFailure(WAIT);
      assertThat(refusal.reason()).isEqualTo(DtlsFailure.Reason.OVERLOADED);
      assertThat(refusal.message()).contains("all 8 handshake slots taken");
      for (Stalled s : stalls) {
        s.answered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }

      long sinceFilled = (System.nanoTime() - filledAt) / 1_000_000;
      Thread.sleep(Math.max(0, DtlsStack.EVICTABLE_AGE.toMillis() + 100 - sinceFilled));
      long[] took = handshakeMillis(server, client, 3);

      System.out.println(String.format("past the slot limit: legitimate handshakes took %s ms",
          Arrays.toString(took)));
      // the first took the oldest stalled handshake's slot; each freed its slot for the next
      assertThat(server.stats().handshakesEvicted()).isEqualTo(1);
      assertThat(server.stats().overloadRejections()).isEqualTo(1);
      DtlsFailure evicted = stalls.get(0).events.awaitFailure(WAIT);
      assertThat(evicted.reason()).isEqualTo(DtlsFailure.Reason.OVERLOADED);
      assertThat(evicted.message()).contains("gave way to a new one");
      assertThat(stalls.subList(1, 8)).allSatisfy(s -> assertThat(s.events.ended).isNotDone());
      assertThat(server.stats().handshakesInProgress()).isEqualTo(7);
      stalls.forEach(s -> s.connection.close());
    }
  }

  /**
   * Runs {@code n} legitimate handshakes one after another over a perfect in-memory link and
   * returns how long each took, from opening the client to both ends holding keys. A failure
   * fails the test.
   */
  static long[] handshakeMillis(DtlsStack serverStack, DtlsStack clientStack, int n)
      throws Exception {
    long[] took = new long[n];
    for (int i = 0; i < n; i++) {
      try (MemoryLink link = MemoryLink.perfect()) {
        Recorder serverEvents = new Recorder();
        Recorder clientEvents = new Recorder();
        long start = System.nanoTime();
        DtlsConnection server = serverStack.newConnection(DtlsRole.SERVER)
            .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
            .sender(link.a.sender())
            .listener(serverEvents, link.a.loop)
            .label("legitimate-server-" + i)
            .open();
        link.a.connection = server;
        DtlsConnection client = clientStack.newConnection(DtlsRole.CLIENT)
            .remoteFingerprint(TestPeers.SERVER_CERT.fingerprint())
            .sender(link.b.sender())
            .listener(clientEvents, link.b.loop)
            .label("legitimate-client-" + i)
            .open();
        link.b.connection = client;
        serverEvents.awaitKeys(WAIT);
        clientEvents.awaitKeys(WAIT);
        took[i] = (System.nanoTime() - start) / 1_000_000;
        client.close();
        server.close();
      }
    }
    return took;
  }

  /** One server connection whose peer sent a ClientHello and nothing after it. */
  static final class Stalled {
    final DtlsConnection connection;
    final byte[] clientHello;
    final Recorder events = new Recorder();
    /** Completes when the server has sent its answer to the ClientHello. */
    final CompletableFuture<Void> answered = new CompletableFuture<>();
    final AtomicInteger datagramsSent = new AtomicInteger();

    Stalled(DtlsStack stack, byte[] clientHello, int i) {
      this.clientHello = clientHello;
      this.connection = stack.newConnection(DtlsRole.SERVER)
          .remoteFingerprint(TestPeers.CLIENT_CERT.fingerprint())
          .sender(d -> {
            d.release();
            datagramsSent.incrementAndGet();
            answered.complete(null);
          })
          .listener(events, Runnable::run)
          .label("stalled-" + i)
          .open();
    }

    void repeatClientHello() {
      connection.onDatagram(clientHello, 0, clientHello.length);
    }
  }

  /**
   * Keeps one stalled handshake per ClientHello going on a server stack: repeats each ClientHello
   * every 900 ms and replaces a stalled handshake as soon as it ends.
   */
  static final class Attack implements AutoCloseable {
    private final DtlsStack stack;
    private final List<byte[]> clientHellos;
    private final Stalled[] slots;
    private final ScheduledExecutorService attacker = Executors.newSingleThreadScheduledExecutor();
    /** Stalled handshakes that ended and were replaced. */
    final AtomicInteger replaced = new AtomicInteger();
    private boolean closed;

    Attack(DtlsStack stack, List<byte[]> clientHellos) {
      this.stack = stack;
      this.clientHellos = clientHellos;
      this.slots = new Stalled[clientHellos.size()];
      synchronized (this) {
        for (int i = 0; i < slots.length; i++) {
          open(i);
        }
      }
      attacker.scheduleWithFixedDelay(this::repeatClientHellos, 900, 900, TimeUnit.MILLISECONDS);
    }

    private void open(int i) {
      Stalled s = new Stalled(stack, clientHellos.get(i), i);
      slots[i] = s;
      s.events.ended.thenRunAsync(() -> replace(s, i), attacker);
      s.repeatClientHello();
    }

    private synchronized void replace(Stalled ended, int i) {
      if (!closed && slots[i] == ended) {
        replaced.incrementAndGet();
        open(i);
      }
    }

    private synchronized void repeatClientHellos() {
      for (Stalled s : slots) {
        s.repeatClientHello();
      }
    }

    void awaitAnswers(Duration atMost) throws Exception {
      Stalled[] now;
      synchronized (this) {
        now = slots.clone();
      }
      try {
        CompletableFuture.allOf(Arrays.stream(now).map(s -> s.answered)
            .toArray(CompletableFuture[]::new)).get(atMost.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        long answered = Arrays.stream(now).filter(s -> s.answered.isDone()).count();
        System.out.println(String.format("%d of %d stalled handshakes answered within %s", answered,
            now.length, atMost));
      }
    }

    @Override
    public void close() throws InterruptedException {
      synchronized (this) {
        closed = true;
        for (Stalled s : slots) {
          s.connection.close();
        }
      }
      attacker.shutdownNow();
      attacker.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** The first datagrams of {@code n} real client connections: n distinct ClientHellos. */
  static List<byte[]> clientHellos(int n) throws Exception {
    List<byte[]> hellos = new ArrayList<>();
    try (DtlsStack stack = new DtlsStack(TestPeers.CLIENT_CERT)) {
      for (int i = 0; i < n; i++) {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        DtlsConnection c = stack.newConnection(DtlsRole.CLIENT)
            .remoteFingerprint(TestPeers.SERVER_CERT.fingerprint())
            .sender(d -> complete(first, d))
            .listener(new Recorder(), Runnable::run)
            .open();
        byte[] hello = first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        c.close();
        assertThat(DtlsRecords.isClientHello(hello)).isTrue();
        hellos.add(hello);
      }
    }
    return hellos;
  }

  private static void complete(CompletableFuture<byte[]> first, ByteBuf d) {
    try {
      first.complete(ByteBufUtil.getBytes(d));
    } finally {
      d.release();
    }
  }

  static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
