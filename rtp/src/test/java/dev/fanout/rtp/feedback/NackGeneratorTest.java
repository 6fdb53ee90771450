package dev.fanout.rtp.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.rtp.rtcp.GenericNack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** RFC 4585 §6.2.1 Generic NACK, receiver side: which numbers are requested, when, how often. */
class NackGeneratorTest {
  private static final long MS = 1_000_000L;
  private static final long RTT = 50 * MS;

  private final int[] out = new int[1000];

  private List<Integer> collect(NackGenerator g, long now, long rtt) {
    int n = g.collect(now, rtt, out);
    List<Integer> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(out[i]);
    }
    return list;
  }

  @Test
  void aSingleLossIsRequestedOnceTheReorderDelayHasPassed() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(2, MS);
    assertThat(g.onPacket(4, 2 * MS)).as("newly missing").isEqualTo(1);
    assertThat(g.nextDueNanos()).isEqualTo(2 * MS + NackGenerator.DEFAULT_REORDER_DELAY_NANOS);
    assertThat(collect(g, 3 * MS, RTT)).isEmpty();
    assertThat(collect(g, 7 * MS, RTT)).containsExactly(3);
    assertThat(g.requests()).isEqualTo(1);
    assertThat(g.missing()).isEqualTo(1);
    assertThat(g.nextDueNanos()).isEqualTo(7 * MS + RTT);
  }

  @Test
  void withoutAReorderDelayTheGapIsRequestedAtOnce() {
    NackGenerator g = new NackGenerator(1000, 10, NackGenerator.DEFAULT_MAX_AGE_NANOS, 0);
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    assertThat(g.nextDueNanos()).isZero();
    assertThat(collect(g, 0, RTT)).containsExactly(2);
  }

  @Test
  void aBurstLossIsRequestedInOrderAndPacksIntoOneNackEntry() {
    NackGenerator g = new NackGenerator();
    g.onPacket(10, 0);
    assertThat(g.onPacket(20, 0)).isEqualTo(9);
    int n = g.collect(10 * MS, RTT, out);
    assertThat(Arrays.copyOf(out, n)).containsExactly(11, 12, 13, 14, 15, 16, 17, 18, 19);
    byte[] buf = new byte[64];
    int len = GenericNack.writeTo(buf, 0, 1, 2, out, n);
    assertThat(len).as("one PID/BLP entry").isEqualTo(16);
    assertThat(GenericNack.parse(buf, 0, len).lost()).containsExactly(11, 12, 13, 14, 15, 16, 17, 18, 19);
  }

  @Test
  void lossAcrossTheWrapIsRequestedWithTheRightNumbers() {
    NackGenerator g = new NackGenerator();
    g.onPacket(65533, 0);
    g.onPacket(1, 0);
    int n = g.collect(10 * MS, RTT, out);
    assertThat(Arrays.copyOf(out, n)).containsExactly(65534, 65535, 0);
    byte[] buf = new byte[64];
    int len = GenericNack.writeTo(buf, 0, 1, 2, out, n);
    assertThat(len).isEqualTo(16);
    assertThat(GenericNack.parse(buf, 0, len).lost()).containsExactly(65534, 65535, 0);
  }

  @Test
  void aPacketReorderedWithinTheDelayIsNeverRequested() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    g.onPacket(4, MS);
    g.onPacket(2, 2 * MS);
    assertThat(collect(g, 10 * MS, RTT)).isEmpty();
    assertThat(collect(g, 500 * MS, RTT)).isEmpty();
    assertThat(g.reordered()).isEqualTo(1);
    assertThat(g.requests()).isZero();
    assertThat(g.missing()).isZero();
  }

  @Test
  void theFirstRetryWaitsTheRoundTripTimeAndNeverLessThan20Milliseconds() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    assertThat(collect(g, 5 * MS, RTT)).containsExactly(2);
    assertThat(collect(g, 54 * MS, RTT)).isEmpty();
    assertThat(collect(g, 55 * MS, RTT)).containsExactly(2);
    g.onPacket(2, 60 * MS);
    // an RTT of 5 ms still waits 20 ms
    g.onPacket(5, 100 * MS);
    assertThat(collect(g, 105 * MS, 5 * MS)).containsExactly(4);
    assertThat(collect(g, 124 * MS, 5 * MS)).isEmpty();
    assertThat(collect(g, 125 * MS, 5 * MS)).containsExactly(4);
    g.onPacket(4, 130 * MS);
    // an unknown RTT waits 100 ms
    g.onPacket(7, 200 * MS);
    assertThat(collect(g, 205 * MS, 0)).containsExactly(6);
    assertThat(collect(g, 304 * MS, 0)).isEmpty();
    assertThat(collect(g, 305 * MS, 0)).containsExactly(6);
  }

  /**
   * After the first retry, the next ones wait 20, 40, 60 ms …: a sender that retransmitted a
   * packet less than its RTT ago ignores a request for it, so asking early costs nothing, and a
   * lost repair is asked for again soon after it is overdue. Ten requests span about a second.
   */
  @Test
  void laterRetriesWait20Then40Then60MillisecondsAndSoOn() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    List<Long> at = new ArrayList<>();
    for (long now = 0; now <= 1_100 * MS; now += MS) {
      if (!collect(g, now, RTT).isEmpty()) {
        at.add(now / MS);
      }
    }
    assertThat(at).containsExactly(5L, 55L, 75L, 115L, 175L, 255L, 355L, 475L, 615L, 775L);
    assertThat(g.givenUp()).as("given up one wait (180 ms) after the tenth request").isEqualTo(1);
    assertThat(g.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
  }

  /**
   * The sender libwebrtc is: it retransmits a requested packet unless it retransmitted it less
   * than its RTT + 5 ms before. The link takes 20 ms each way, the sender 15 ms to answer, and the
   * first repair is lost. The second must arrive well before a subscriber's picture would freeze
   * (~150 ms after the loss); retrying once per request-to-repair time (55 ms here), the retry at
   * 115 ms is the first the sender takes, and the repair arrives at 170 ms.
   */
  @Test
  void aLostRepairIsRepairedAgainSoonAfterItIsOverdue() {
    NackGenerator g = new NackGenerator();
    long oneWay = 20 * MS;
    long answer = 15 * MS;
    long senderRtt = 2 * oneWay;
    // a first loss, repaired once, teaches the generator the request-to-repair time
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    assertThat(collect(g, 5 * MS, 0)).containsExactly(2);
    g.onPacket(2, 5 * MS + oneWay + answer + oneWay);
    assertThat(g.rttNanos()).isEqualTo(55 * MS);

    long loss = 1_000 * MS;
    g.onPacket(5, loss);
    long lastRetransmission = Long.MIN_VALUE;
    List<Long> arrivals = new ArrayList<>(); // repairs on their way to us
    long repairedAt = -1;
    for (long now = loss; now < loss + 1_000 * MS && repairedAt < 0; now += MS) {
      for (long a : arrivals) {
        if (a == now) {
          g.onPacket(4, now);
          repairedAt = now;
        }
      }
      for (int ignored : collect(g, now, 0)) {
        long atSender = now + oneWay;
        if (lastRetransmission == Long.MIN_VALUE || atSender - lastRetransmission >= senderRtt + 5 * MS) {
          lastRetransmission = atSender + answer;
          if (arrivals.isEmpty() && lastRetransmission == loss + 5 * MS + oneWay + answer) {
            arrivals.add(Long.MIN_VALUE); // the first repair is lost
          } else {
            arrivals.add(lastRetransmission + oneWay);
          }
        }
      }
    }
    assertThat(repairedAt - loss).as("from the loss to the second repair").isLessThan(150 * MS);
    assertThat(arrivals).as("repairs the sender sent: the lost one and one more").hasSize(2);
  }

  /**
   * Without an RTT from the caller, retries wait the measured time from a request to its repair,
   * taken only from packets requested once (a repair after two requests could answer either).
   */
  @Test
  void withoutAnRttRetriesWaitTheMeasuredTimeFromARequestToItsRepair() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    assertThat(collect(g, 5 * MS, 0)).containsExactly(2);
    assertThat(g.rttNanos()).isZero();
    g.onPacket(2, 45 * MS); // repaired 40 ms after the request
    assertThat(g.rttNanos()).isEqualTo(40 * MS);

    g.onPacket(5, 50 * MS);
    assertThat(collect(g, 55 * MS, 0)).containsExactly(4);
    assertThat(collect(g, 94 * MS, 0)).isEmpty();
    assertThat(collect(g, 95 * MS, 0)).as("40 ms after the first request, not 100").containsExactly(4);
    g.onPacket(4, 300 * MS); // after two requests: no sample
    assertThat(g.rttNanos()).isEqualTo(40 * MS);

    g.onPacket(7, 300 * MS);
    assertThat(collect(g, 305 * MS, 0)).containsExactly(6);
    g.onPacket(6, 385 * MS); // 80 ms: smoothed with gain 1/8
    assertThat(g.rttNanos()).isEqualTo(45 * MS);
    // a caller's RTT still wins
    g.onPacket(9, 400 * MS);
    assertThat(collect(g, 405 * MS, 0)).containsExactly(8);
    assertThat(collect(g, 425 * MS, 20 * MS)).containsExactly(8);
  }

  @Test
  void aPacketIsGivenUpAfterMaxRetriesAndOneMoreInterval() {
    NackGenerator g = new NackGenerator(1000, 3, 10_000 * MS, 0);
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    long now = 0;
    int requested = 0;
    for (int tick = 0; tick < 100; tick++, now += 10 * MS) {
      requested += collect(g, now, 20 * MS).size();
    }
    assertThat(requested).isEqualTo(3);
    assertThat(g.requests()).isEqualTo(3);
    assertThat(g.givenUp()).isEqualTo(1);
    assertThat(g.missing()).isZero();
    assertThat(g.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aRecoveredPacketStopsItsRequests() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(4, 0);
    assertThat(collect(g, 10 * MS, RTT)).containsExactly(2, 3);
    g.onPacket(3, 30 * MS); // the retransmission of 3
    assertThat(collect(g, 100 * MS, RTT)).containsExactly(2);
    assertThat(g.recovered()).isEqualTo(1);
    g.onPacket(3, 101 * MS); // a duplicate changes nothing
    assertThat(g.recovered()).isEqualTo(1);
  }

  @Test
  void aPacketMissingForLongerThanMaxAgeIsGivenUp() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    assertThat(collect(g, 10 * MS, 400 * MS)).containsExactly(2);
    assertThat(collect(g, 410 * MS, 400 * MS)).containsExactly(2);
    assertThat(collect(g, 1_001 * MS, 400 * MS)).isEmpty();
    assertThat(g.givenUp()).isEqualTo(1);
    assertThat(g.missing()).isZero();
  }

  @Test
  void memoryStaysBoundedUnderAHugeJumpAndAGapBeyondTheBound() {
    NackGenerator g = new NackGenerator();
    g.onPacket(1, 0);
    g.onPacket(3, 0);
    assertThat(g.onPacket(30_000, 0)).as("not repairable: no requests").isZero();
    assertThat(g.missing()).isZero();
    assertThat(g.dropped()).isEqualTo(1);
    assertThat(collect(g, 10 * MS, RTT)).isEmpty();
    // two gaps of 600 exceed the 1000 entries: the oldest 200 are dropped
    g.onPacket(30_601, MS);
    g.onPacket(31_202, MS);
    assertThat(g.missing()).isEqualTo(1000);
    assertThat(g.dropped()).isEqualTo(201);
    int n = g.collect(10 * MS, RTT, out);
    assertThat(n).isEqualTo(1000);
    assertThat(out[0]).isEqualTo(30_201);
    assertThat(out[999]).isEqualTo(31_201);
  }

  @Test
  void aSenderThatRestartsItsNumbersFarBehindIsFollowedAfterTwoPackets() {
    NackGenerator g = new NackGenerator();
    g.onPacket(50_000, 0);
    g.onPacket(1_000, MS);
    assertThat(g.missing()).isZero();
    g.onPacket(1_001, 2 * MS);
    g.onPacket(1_003, 3 * MS);
    assertThat(collect(g, 10 * MS, RTT)).containsExactly(1_002);
  }

  @Test
  void whatDoesNotFitTheOutputStaysDue() {
    NackGenerator g = new NackGenerator();
    g.onPacket(0, 0);
    g.onPacket(11, 0);
    int[] small = new int[4];
    assertThat(g.collect(10 * MS, RTT, small)).isEqualTo(4);
    assertThat(small).containsExactly(1, 2, 3, 4);
    assertThat(g.nextDueNanos()).isLessThanOrEqualTo(10 * MS);
    assertThat(g.collect(10 * MS, RTT, small)).isEqualTo(4);
    assertThat(small).containsExactly(5, 6, 7, 8);
    assertThat(g.collect(10 * MS, RTT, small)).isEqualTo(2);
    assertThat(g.nextDueNanos()).isEqualTo(10 * MS + RTT);
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new NackGenerator(0, 10, MS, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NackGenerator(100, 0, MS, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NackGenerator(100, 10, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void trackingAndCollectingAllocateNothing() {
    NackGenerator g = new NackGenerator();
    long[] clock = {0};
    int[] seq = {0};
    Runnable tenSecondsOfLossyTraffic = () -> {
      for (int i = 0; i < 10_000; i++) {
        clock[0] += MS;
        int s = seq[0]++;
        if (i % 40 == 5 || i % 40 == 17) {
          continue; // lost: 5 is retransmitted 25 ms later, 17 never
        }
        g.onPacket(s & 0xffff, clock[0]);
        if (i % 40 == 30) {
          g.onPacket((s - 25) & 0xffff, clock[0]);
        }
        if (i % 5 == 0) {
          g.collect(clock[0], RTT, out);
        }
      }
    };
    for (int warm = 0; warm < 20; warm++) {
      tenSecondsOfLossyTraffic.run();
    }
    assertThat(Allocations.of(tenSecondsOfLossyTraffic)).as("bytes allocated for 10,000 packets").isLessThan(1024);
    assertThat(g.recovered()).isPositive();
    assertThat(g.givenUp()).isPositive();
  }

  // ---- properties -------------------------------------------------------------------------

  record Arrival(int offset, boolean lost, int gapMicros, boolean collect) {}

  @Provide
  Arbitrary<List<Arrival>> stream() {
    Arbitrary<Integer> reorder = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, Arbitraries.just(0)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(-20, 20)));
    return Combinators.combine(reorder,
            Arbitraries.integers().between(0, 9).map(i -> i == 0),
            Arbitraries.integers().between(0, 15_000),
            Arbitraries.integers().between(0, 3).map(i -> i == 0))
        .as(Arrival::new)
        .list().ofMinSize(1).ofMaxSize(800);
  }

  /**
   * Over streams with losses, reordering, duplicates and retransmissions of what was requested:
   * no number is ever requested after it arrived, none is requested that was not skipped over,
   * and every number that never arrives is requested at least once while collects are frequent.
   */
  @Property(tries = 300)
  void neverRequestsAReceivedPacketAndRequestsEveryLostOne(
      @ForAll("stream") List<Arrival> arrivals, @ForAll @IntRange(min = 0, max = 0xffff) int firstSeq,
      @ForAll @IntRange(min = 0, max = 60) int rttMillis) {
    NackGenerator g = new NackGenerator();
    // the send order with some packets moved: sequence numbers in order, arrival order perturbed
    int count = arrivals.size();
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(a + arrivals.get(a).offset(), b + arrivals.get(b).offset()));
    Set<Integer> received = new HashSet<>();
    Set<Integer> requested = new HashSet<>();
    int highest = -1;
    long now = 0;
    for (int k = 0; k < count; k++) {
      int i = order[k];
      Arrival a = arrivals.get(i);
      now += a.gapMicros() * 1000L;
      if (!a.lost() || k == 0) {
        g.onPacket((firstSeq + i) & 0xffff, now);
        received.add(i);
        highest = Math.max(highest, i);
      }
      if (a.collect() || k == count - 1) {
        int n = g.collect(now, rttMillis * MS, out);
        for (int j = 0; j < n; j++) {
          int index = (out[j] - firstSeq) & 0xffff;
          assertThat(received).as("requested after it arrived: %d", index).doesNotContain(index);
          assertThat(index).as("requested beyond the highest received").isLessThan(highest);
          requested.add(index);
          if (index % 3 == 0) {
            g.onPacket(out[j], now); // the sender answers some requests at once
            received.add(index);
          }
        }
      }
    }
    // collects every 10 ms for a while: every number skipped and never received gets requested
    for (int tick = 0; tick < 30; tick++) {
      now += 10 * MS;
      int n = g.collect(now, rttMillis * MS, out);
      for (int j = 0; j < n; j++) {
        int index = (out[j] - firstSeq) & 0xffff;
        assertThat(received).doesNotContain(index);
        requested.add(index);
      }
    }
    for (int i = 0; i < highest; i++) {
      // numbers before the first arrival are unknown to the generator
      if (!received.contains(i) && i > order[0]) {
        assertThat(requested).as("lost %d never requested", i).contains(i);
      }
    }
  }

}
