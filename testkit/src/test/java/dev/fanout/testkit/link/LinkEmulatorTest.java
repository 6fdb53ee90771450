package dev.fanout.testkit.link;

import static dev.fanout.testkit.link.LinkAssertions.await;
import static dev.fanout.testkit.link.LinkAssertions.max;
import static dev.fanout.testkit.link.LinkAssertions.min;
import static dev.fanout.testkit.link.LinkAssertions.quantile;
import static dev.fanout.testkit.link.LinkAssertions.throughput;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testkit.link.Peer.Arrival;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The link emulator over real loopback UDP: a sending peer, the emulator, a receiving (or
 * echoing) peer. Figures are measured, never counted inside a fixed window: a test sends a known
 * number of datagrams, waits with a deadline until the emulator has accounted for all of them,
 * then looks at what arrived and when.
 */
class LinkEmulatorTest {
  private static final Duration T = Duration.ofSeconds(20);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <C extends AutoCloseable> C keep(C c) {
    open.add(c);
    return c;
  }

  private LinkEmulator emulator(InetSocketAddress target, long seed) throws Exception {
    return keep(LinkEmulator.to(target).seed(seed).start());
  }

  /** Waits until the direction has forwarded or dropped every one of {@code n} datagrams. */
  private static void settle(LinkDirection d, long n) throws InterruptedException {
    await(d.name() + " accounted for " + n + " datagrams: " + d.stats(), T,
        () -> d.stats().packetsIn() >= n && d.stats().held() == 0);
  }

  /**
   * Sends {@code n} datagrams up in batches of 250, each paced at 4000 a second, and waits after
   * each batch until the relay has taken all of it and the server has every datagram the relay
   * forwarded: no socket buffer ever holds more than a batch, so on a loaded machine the kernel
   * loses nothing and every loss is the emulator's own.
   */
  private static void sendAccounted(Peer client, LinkEmulator link, Peer server, int stream, int n, int size)
      throws Exception {
    LinkStats base = link.up().stats();
    int serverBase = server.received();
    for (int sent = 0; sent < n; ) {
      int batch = Math.min(250, n - sent);
      int first = sent;
      Peer.paced(batch, 4000, i -> {
        try {
          client.send(link.address(), stream, first + i, size);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      sent += batch;
      long expected = sent;
      await("the relay took " + expected + " datagrams and the server got what it forwarded: " + link.up().stats(), T,
          () -> {
            LinkStats s = link.up().stats().since(base);
            return s.packetsIn() == expected && s.held() == 0 && server.received() - serverBase == s.packetsForwarded();
          });
    }
  }

  @Test
  void aRateLimitDeliversTheConfiguredThroughput() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 1);
    long rate = 2_000_000;
    link.up().rate(rate).queuePackets(10_000);
    // 400 datagrams of 1000 bytes offered at 8 Mbit/s: the queue holds them and the bucket
    // drains them at 2 Mbit/s, about 1.6 s.
    client.sendPaced(link.address(), 0, 400, 1000, 1000);
    List<Arrival> got = server.await(400, T);
    double measured = throughput(got);
    System.out.printf("rate limit %d bit/s: measured %.0f bit/s%n", rate, measured);
    assertThat(measured).as("throughput (bit/s) of %s", link.up().stats()).isBetween(rate * 0.8, rate * 1.1);
    assertThat(link.up().stats().packetsForwarded()).isEqualTo(400);
    assertThat(link.up().stats().dropped()).isZero();
  }

  @Test
  void delayAddsTheConfiguredOneWayDelayAndNeverDeliversEarly() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 2);
    client.sendPaced(link.address(), 0, 100, 200, 200);
    List<Arrival> direct = server.await(100, T);
    double baseline = quantile(direct, Arrival::oneWayMillis, 0.5);

    link.up().delay(Duration.ofMillis(40));
    client.sendPaced(link.address(), 1, 100, 200, 100);
    List<Arrival> delayed = server.await(200, T).subList(100, 200);
    double median = quantile(delayed, Arrival::oneWayMillis, 0.5);
    System.out.printf("delay 40 ms: min %.3f, median %.3f, max %.3f ms; without delay: median %.3f ms%n",
        min(delayed, Arrival::oneWayMillis), median, max(delayed, Arrival::oneWayMillis), baseline);
    assertThat(min(delayed, Arrival::oneWayMillis)).as("shortest delay (ms)").isGreaterThanOrEqualTo(40.0);
    // A loaded machine makes datagrams late, never early, so the lower quantiles show the
    // emulator's own timing: a quarter of them within 5 ms of the delay set.
    assertThat(quantile(delayed, Arrival::oneWayMillis, 0.25)).as("first quartile of the delay (ms)").isBetween(40.0, 45.0);
  }

  @Test
  void jitterSpreadsDelaysKeepsOrderByDefaultAndReordersWhenAllowed() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 3);
    link.up().delay(Duration.ofMillis(30)).jitter(Duration.ofMillis(20));
    client.sendPaced(link.address(), 0, 150, 200, 100);
    List<Arrival> inOrder = server.await(150, T);
    for (int i = 0; i < inOrder.size(); i++) {
      assertThat(inOrder.get(i).seq()).as("arrival %d", i).isEqualTo(i);
    }
    assertThat(min(inOrder, Arrival::oneWayMillis)).isGreaterThanOrEqualTo(10.0);
    double spread = quantile(inOrder, Arrival::oneWayMillis, 0.9) - quantile(inOrder, Arrival::oneWayMillis, 0.1);
    assertThat(spread).as("p90 - p10 of the one-way delay (ms)").isGreaterThan(8.0);

    link.up().reorder(true);
    client.sendPaced(link.address(), 1, 150, 200, 500);
    List<Arrival> reordered = server.await(300, T).subList(150, 300);
    int inversions = 0;
    for (int i = 1; i < reordered.size(); i++) {
      if (reordered.get(i).seq() < reordered.get(i - 1).seq()) {
        inversions++;
      }
    }
    assertThat(inversions).as("datagrams that overtook an earlier one").isGreaterThan(10);
    assertThat(min(reordered, Arrival::oneWayMillis)).isGreaterThanOrEqualTo(10.0);
  }

  @Test
  void fivePercentRandomLossLosesAboutFivePercentAndEveryLossIsCounted() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 4);
    link.up().loss(0.05);
    int n = 4000;
    sendAccounted(client, link, server, 0, n, 200);
    LinkStats s = link.up().stats();
    // Binomial(4000, 0.05): mean 200, standard deviation 13.8; five of them either side.
    assertThat(s.lostRandom()).isBetween(131L, 269L);
    assertThat(s.packetsForwarded() + s.lostRandom()).isEqualTo(n);
    assertThat(server.received()).as("datagrams at the server").isEqualTo((int) s.packetsForwarded());
  }

  @Test
  void theSameSeedLosesTheSameDatagrams() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    List<Set<Integer>> lost = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      LinkEmulator link = emulator(server.address(), 42);
      link.up().loss(0.1).burstLoss(0.02, 0.3);
      sendAccounted(client, link, server, run, 1000, 100);
      Set<Integer> missing = new TreeSet<>();
      for (int i = 0; i < 1000; i++) {
        missing.add(i);
      }
      for (Arrival a : server.arrivals()) {
        if (a.stream() == run) {
          missing.remove(a.seq());
        }
      }
      lost.add(missing);
      link.close();
    }
    assertThat(lost.get(0)).hasSizeGreaterThan(50);
    assertThat(lost.get(1)).isEqualTo(lost.get(0));
  }

  @Test
  void burstLossLosesDatagramsInRuns() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 5);
    // Gilbert: bursts start with p = 0.02 and end with r = 0.25, so runs average 4 datagrams and
    // the long-run loss is 0.02 / 0.27 = 7.4 %. Independent loss at that rate has runs of 1.08.
    link.up().burstLoss(0.02, 0.25);
    int n = 4000;
    sendAccounted(client, link, server, 0, n, 100);
    LinkStats s = link.up().stats();
    boolean[] got = new boolean[n];
    for (Arrival a : server.arrivals()) {
      got[a.seq()] = true;
    }
    List<Integer> runs = new ArrayList<>();
    int run = 0;
    for (int i = 0; i < n; i++) {
      if (!got[i]) {
        run++;
      } else if (run > 0) {
        runs.add(run);
        run = 0;
      }
    }
    if (run > 0) {
      runs.add(run);
    }
    double meanRun = runs.stream().mapToInt(Integer::intValue).average().orElse(0);
    assertThat(s.lostRandom()).isZero();
    assertThat(s.lostBurst()).as("burst losses").isBetween((long) (n * 0.03), (long) (n * 0.13));
    assertThat(runs.stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) s.lostBurst());
    assertThat(meanRun).as("mean length of a run of losses over %d runs", runs.size()).isBetween(2.5, 6.0);
    assertThat(runs.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThanOrEqualTo(8);
  }

  @Test
  void aFullQueueDropsAtTheTailAndBoundsTheQueueingDelay() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 6);
    link.up().rate(400_000).queuePackets(10);
    // 8 Mbit/s offered to a 400 kbit/s link with room for 10 datagrams.
    client.sendPaced(link.address(), 0, 100, 1000, 1000);
    settle(link.up(), 100);
    LinkStats s = link.up().stats();
    assertThat(s.droppedQueueFull()).as("tail drops").isGreaterThan(50);
    assertThat(s.packetsForwarded() + s.droppedQueueFull()).isEqualTo(100);
    List<Arrival> got = server.await((int) s.packetsForwarded(), T);
    // A datagram waits behind at most 10 others plus the one leaving: 11 x 20 ms. Without the
    // limit the n-th would wait about n x 19 ms, a quarter of them more than 475 ms. (A quantile,
    // not the maximum: a loaded machine makes some datagrams late.)
    assertThat(quantile(got, Arrival::oneWayMillis, 0.25)).as("first quartile of the time in the queue (ms)")
        .isLessThan(220.0 + 80);

    link.up().queueLimit(1000, 5000);
    client.sendPaced(link.address(), 1, 100, 1000, 1000);
    settle(link.up(), 200);
    LinkStats bytes = link.up().stats().since(s);
    assertThat(bytes.droppedQueueFull()).as("tail drops with a 5000-byte queue").isGreaterThan(50);
    assertThat(bytes.packetsForwarded()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void changingConditionsMidRunTakesEffectOnTheNextDatagramsAndOnTheQueue() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 7);
    link.up().loss(1.0);
    client.sendPaced(link.address(), 0, 50, 100, 1000);
    settle(link.up(), 50);
    assertThat(link.up().stats().lostRandom()).isEqualTo(50);

    link.up().loss(0);
    client.sendPaced(link.address(), 1, 50, 100, 1000);
    server.await(50, T);

    link.up().delay(Duration.ofMillis(60));
    client.sendPaced(link.address(), 2, 20, 100, 200);
    List<Arrival> delayed = server.await(70, T).subList(50, 70);
    assertThat(min(delayed, Arrival::oneWayMillis)).isGreaterThanOrEqualTo(60.0);

    // 200 datagrams of 1000 bytes would need 16 s at 100 kbit/s; lifting the limit lets the
    // queue go at once.
    link.up().reset().rate(100_000).queuePackets(1000);
    client.sendPaced(link.address(), 3, 200, 1000, 2000);
    await("datagrams queued", T, () -> link.up().stats().packetsIn() == 320);
    long sent = System.nanoTime();
    link.up().rate(0);
    server.await(270, Duration.ofSeconds(5));
    assertThat((System.nanoTime() - sent) / 1e9).as("seconds to drain the queue after lifting the limit").isLessThan(5);
    assertThat(link.up().stats().dropped()).isEqualTo(50);
  }

  @Test
  void eachDirectionHasItsOwnConditions() throws Exception {
    Peer server = keep(Peer.echo());
    Peer client = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 8);
    link.up().delay(Duration.ofMillis(100));
    link.down().loss(0.2);
    int n = 500;
    client.sendPaced(link.address(), 0, n, 200, 500);
    List<Arrival> atServer = server.await(n, T);
    settle(link.down(), n);
    LinkStats up = link.up().stats();
    LinkStats down = link.down().stats();
    assertThat(up.packetsForwarded()).isEqualTo(n);
    assertThat(up.dropped()).isZero();
    assertThat(min(atServer, Arrival::oneWayMillis)).as("client to server (ms)").isGreaterThanOrEqualTo(100.0);
    assertThat(down.lostRandom()).as("losses on the way back").isBetween(50L, 150L);
    List<Arrival> back = client.await((int) down.packetsForwarded(), T);
    assertThat(back).hasSize((int) (n - down.lostRandom()));
    // The way back has no delay: had it the uplink's 100 ms, every datagram would take that long.
    java.util.Map<Integer, Long> reachedServer = new java.util.HashMap<>();
    for (Arrival a : atServer) {
      reachedServer.put(a.seq(), a.arrivedNanos());
    }
    List<Double> wayBack = back.stream().map(a -> (a.arrivedNanos() - reachedServer.get(a.seq())) / 1e6).toList();
    assertThat(min(wayBack, Double::doubleValue)).as("quickest server to client (ms)").isLessThan(50.0);
    assertThat(min(back, Arrival::oneWayMillis)).as("round trip (ms)").isGreaterThanOrEqualTo(100.0);
    assertThat(back).allMatch(a -> a.from().equals(link.address()));
  }

  @Test
  void manyClientsMapToDistinctAddressesAndGetTheirOwnAnswers() throws Exception {
    Peer server = keep(Peer.echo());
    LinkEmulator link = emulator(server.address(), 9);
    List<Peer> clients = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      clients.add(keep(Peer.open()));
    }
    for (int seq = 0; seq < 10; seq++) {
      for (int i = 0; i < clients.size(); i++) {
        clients.get(i).send(link.address(), i, seq, 100);
      }
    }
    List<Arrival> atServer = server.await(200, T);
    Set<InetSocketAddress> seen = new HashSet<>();
    for (Arrival a : atServer) {
      seen.add(a.from());
    }
    assertThat(seen).as("addresses the server saw").hasSize(20).doesNotContain(link.address());
    assertThat(new HashSet<>(link.clients().values())).isEqualTo(seen);
    for (int i = 0; i < clients.size(); i++) {
      Peer c = clients.get(i);
      List<Arrival> back = c.await(10, T);
      int stream = i;
      assertThat(back).as("answers at client %d", i).hasSize(10).allMatch(a -> a.stream() == stream);
      assertThat(link.clients()).containsKey(c.address());
      // Every datagram of this client reached the server from its one mapped address.
      InetSocketAddress mapped = link.clients().get(c.address());
      assertThat(atServer.stream().filter(a -> a.stream() == stream)).allMatch(a -> a.from().equals(mapped));
    }
  }

  @Test
  void perClientLinksGiveEveryClientTheFullRateWhileASharedLinkSplitsIt() throws Exception {
    long rate = 800_000;
    double[] shared = twoClientsThroughRate(LinkEmulator.Sharing.SHARED, rate);
    double[] perClient = twoClientsThroughRate(LinkEmulator.Sharing.PER_CLIENT, rate);
    for (int i = 0; i < 2; i++) {
      assertThat(shared[i]).as("client %d on a shared link (bit/s)", i).isBetween(rate * 0.3, rate * 0.6);
      assertThat(perClient[i]).as("client %d on its own link (bit/s)", i).isBetween(rate * 0.75, rate * 1.1);
    }
  }

  private double[] twoClientsThroughRate(LinkEmulator.Sharing sharing, long rate) throws Exception {
    Peer server = keep(Peer.open());
    Peer a = keep(Peer.open());
    Peer b = keep(Peer.open());
    LinkEmulator link = keep(LinkEmulator.to(server.address()).seed(10).sharing(sharing).start());
    link.up().rate(rate).queuePackets(1000);
    // 100 datagrams of 1000 bytes each, interleaved, offered at 8 Mbit/s together.
    Peer.paced(200, 1000, i -> {
      try {
        (i % 2 == 0 ? a : b).send(link.address(), i % 2, i / 2, 1000);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    List<Arrival> got = server.await(200, T);
    return new double[] {
        throughput(got.stream().filter(x -> x.stream() == 0).toList()),
        throughput(got.stream().filter(x -> x.stream() == 1).toList())};
  }

  @Test
  void onlyTheTargetMayAnswerThroughAClientsMapping() throws Exception {
    Peer server = keep(Peer.echo());
    Peer client = keep(Peer.open());
    Peer stranger = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 11);
    client.send(link.address(), 0, 0, 100);
    client.await(1, T);
    InetSocketAddress mapped = link.clients().get(client.address());
    stranger.send(mapped, 9, 0, 100);
    await("the stranger's datagram counted", T, () -> link.down().stats().droppedOther() == 1);
    client.send(link.address(), 0, 1, 100);
    client.await(2, T);
    assertThat(client.arrivals()).noneMatch(a -> a.stream() == 9);
  }

  @Test
  void closingReleasesWhatTheLinkStillHoldsAndStopsItsThread() throws Exception {
    Peer server = keep(Peer.open());
    Peer client = keep(Peer.open());
    LinkEmulator link = LinkEmulator.to(server.address()).seed(12).start();
    link.up().rate(8_000).delay(Duration.ofSeconds(5)).queuePackets(1000);
    client.sendPaced(link.address(), 0, 50, 1000, 1000);
    await("datagrams held", T, () -> link.up().stats().packetsIn() == 50);
    link.close();
    link.close();
    LinkStats s = link.up().stats();
    assertThat(s.packetsForwarded()).isZero();
    assertThat(s.droppedOther()).as("dropped at close").isEqualTo(50);
    assertThat(s.held()).isZero();
    // Every other test closed its emulator when it ended, so no relay thread may be left.
    await("no link emulator thread left", T, () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("fanout-link") && t.isAlive()));
    // The port is free again.
    try (java.nio.channels.DatagramChannel again = java.nio.channels.DatagramChannel.open()) {
      again.bind(link.address());
    }
    // Setters after close are harmless.
    link.up().loss(0.5);
  }

  @Test
  void rerouteCandidatesPointsTheTargetsCandidatesAtTheRelay() throws Exception {
    Peer server = keep(Peer.open());
    LinkEmulator link = emulator(server.address(), 13);
    int port = server.address().getPort();
    String sdp = "v=0\r\n"
        + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
        + "a=candidate:1 1 udp 2130706431 127.0.0.1 " + port + " typ host\r\n"
        + "a=candidate:2 1 UDP 2130706431 127.0.0.1 " + (port == 9 ? 10 : 9) + " typ host\r\n"
        + "a=candidate:3 1 tcp 1518280447 127.0.0.1 " + port + " typ host tcptype passive\r\n"
        + "a=candidate:4 1 udp 2130706431 host.local " + port + " typ host\r\n";
    String out = link.rerouteCandidates(sdp);
    assertThat(out).isEqualTo(sdp.replace("a=candidate:1 1 udp 2130706431 127.0.0.1 " + port + " typ host",
        "a=candidate:1 1 udp 2130706431 127.0.0.1 " + link.address().getPort() + " typ host"));
  }
}
