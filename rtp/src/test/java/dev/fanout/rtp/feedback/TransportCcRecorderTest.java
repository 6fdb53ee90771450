package dev.fanout.rtp.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.rtp.rtcp.RtcpIterator;
import dev.fanout.rtp.rtcp.RtcpPacket;
import dev.fanout.rtp.rtcp.TransportCc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, receive side: what the recorder writes
 * is parsed back with {@link TransportCc#parse} and every arrival time is rebuilt from the
 * reference time and the deltas.
 */
class TransportCcRecorderTest {
  private static final int SENDER = 0x11111111;
  private static final int MEDIA = 0x22222222;
  private static final long MS = 1_000_000L;
  /** The reference time is 24 bits of 64 ms: arrival times repeat after this many µs. */
  private static final long WRAP_MICROS = (1L << 24) * 64_000L;

  /** One written datagram: its feedback packets, parsed. */
  private static List<TransportCc> parse(byte[] buf, int off, int len) {
    List<TransportCc> out = new ArrayList<>();
    RtcpIterator it = new RtcpIterator().reset(buf, off, len);
    int total = 0;
    while (it.next()) {
      assertThat(it.packetType()).isEqualTo(205);
      assertThat(it.count()).isEqualTo(15);
      total += it.length();
    }
    assertThat(total).as("packets fill the datagram exactly").isEqualTo(len);
    for (RtcpPacket p : RtcpCompound.parse(buf, off, len)) {
      TransportCc t = (TransportCc) p;
      assertThat(t.senderSsrc()).isEqualTo(SENDER);
      assertThat(t.mediaSsrc()).isEqualTo(MEDIA);
      out.add(t);
    }
    return out;
  }

  /** Writes datagrams of at most {@code maxBytes} until nothing is pending. */
  private static List<TransportCc> drain(TransportCcRecorder r, int maxBytes) {
    byte[] buf = new byte[maxBytes + 16];
    List<TransportCc> out = new ArrayList<>();
    for (int i = 0; i < 100_000 && r.hasPendingFeedback(); i++) {
      int n = r.write(buf, 7, maxBytes, SENDER, MEDIA);
      assertThat(n).isPositive().isLessThanOrEqualTo(maxBytes);
      out.addAll(parse(buf, 7, n));
    }
    assertThat(r.hasPendingFeedback()).isFalse();
    return out;
  }

  /** Sequence number → arrival in µs as the feedback states it, for every received symbol. */
  private static Map<Integer, Long> arrivals(List<TransportCc> feedback) {
    Map<Integer, Long> out = new HashMap<>();
    for (TransportCc t : feedback) {
      long micros = t.referenceTime() * 64_000L;
      byte[] symbols = t.symbols();
      int[] deltas = t.deltas();
      int k = 0;
      for (int i = 0; i < symbols.length; i++) {
        if (symbols[i] != TransportCc.NOT_RECEIVED) {
          micros += deltas[k++] * 250L;
          out.put((t.baseSequence() + i) & 0xffff, micros);
        }
      }
    }
    return out;
  }

  /** The distance between two times in µs on the circle of the 24-bit reference time. */
  private static long distanceMicros(long statedMicros, long arrivalNanos) {
    long d = Math.floorMod(statedMicros - Math.floorDiv(arrivalNanos, 1000), WRAP_MICROS);
    return Math.min(d, WRAP_MICROS - d);
  }

  private static void assertReproduced(Map<Integer, Long> stated, Map<Integer, Long> arrivalNanos) {
    assertThat(stated.keySet()).isEqualTo(arrivalNanos.keySet());
    arrivalNanos.forEach((seq, nanos) ->
        assertThat(distanceMicros(stated.get(seq), nanos)).as("seq %d", seq).isLessThanOrEqualTo(250));
  }

  private static List<Integer> lost(TransportCc t) {
    List<Integer> out = new ArrayList<>();
    byte[] s = t.symbols();
    for (int i = 0; i < s.length; i++) {
      if (s[i] == TransportCc.NOT_RECEIVED) {
        out.add((t.baseSequence() + i) & 0xffff);
      }
    }
    return out;
  }

  @Test
  void everyArrivalIsReproducedWithin250MicrosecondsOfItsTime() {
    TransportCcRecorder r = new TransportCcRecorder();
    Map<Integer, Long> sent = new HashMap<>();
    long t = 123_456_789_012L; // an arbitrary monotonic clock reading, not on a 64 ms boundary
    for (int seq = 100; seq < 400; seq++) {
      t += (seq % 7) * 1_333_337L + 17_000; // irregular gaps from 17 µs to 8 ms
      r.onPacket(seq, t);
      sent.put(seq, t);
    }
    List<TransportCc> feedback = drain(r, 1200);
    assertThat(feedback).hasSize(1);
    TransportCc f = feedback.get(0);
    assertThat(f.baseSequence()).isEqualTo(100);
    assertThat(f.statusCount()).isEqualTo(300);
    assertThat(f.feedbackCount()).isZero();
    assertThat(f.referenceTime()).as("first arrival rounded down to 64 ms")
        .isEqualTo((int) (sent.get(100) / 64_000_000L));
    assertReproduced(arrivals(feedback), sent);
    assertThat(r.packets()).isEqualTo(300);
  }

  @Test
  void referenceTimeWrapsAt24BitsAndArrivalsOnEitherSideOfTheWrapAreReproduced() {
    TransportCcRecorder r = new TransportCcRecorder();
    long wrapNanos = WRAP_MICROS * 1000;
    Map<Integer, Long> sent = new HashMap<>();
    long t = 5 * wrapNanos - 40 * MS; // 40 ms before the 5th wrap of the reference time
    for (int seq = 0; seq < 20; seq++) {
      r.onPacket(seq, t);
      sent.put(seq, t);
      t += 3 * MS + 77_000;
    }
    List<TransportCc> feedback = drain(r, 1200);
    assertThat(feedback.get(0).referenceTime()).as("the last 64 ms tick before the wrap, signed").isEqualTo(-1);
    assertReproduced(arrivals(feedback), sent);
    // and the next feedback, after the wrap, starts from a small positive reference time
    r.onPacket(20, t);
    List<TransportCc> next = drain(r, 1200);
    assertThat(next.get(0).referenceTime()).isZero();
    assertReproduced(arrivals(next), Map.of(20, t));
  }

  @Test
  void sequenceNumbersWrapFrom65535To0WithinOneFeedback() {
    TransportCcRecorder r = new TransportCcRecorder();
    Map<Integer, Long> sent = new HashMap<>();
    long t = 10 * MS;
    for (int i = 0; i < 12; i++) {
      int seq = (65530 + i) & 0xffff;
      r.onPacket(seq, t);
      sent.put(seq, t);
      t += MS;
    }
    List<TransportCc> feedback = drain(r, 1200);
    assertThat(feedback).hasSize(1);
    assertThat(feedback.get(0).baseSequence()).isEqualTo(65530);
    assertThat(feedback.get(0).statusCount()).isEqualTo(12);
    assertReproduced(arrivals(feedback), sent);
    // continuing across the wrap in the next feedback
    r.onPacket(6, t);
    assertThat(drain(r, 1200).get(0).baseSequence()).isEqualTo(6);
  }

  @Test
  void reorderedPacketsAreReportedAtTheirNumbersWithNegativeDeltas() {
    TransportCcRecorder r = new TransportCcRecorder();
    Map<Integer, Long> sent = Map.of(1, 10 * MS, 3, 11 * MS, 2, 12 * MS, 4, 13 * MS);
    r.onPacket(1, sent.get(1));
    r.onPacket(3, sent.get(3));
    r.onPacket(2, sent.get(2));
    r.onPacket(4, sent.get(4));
    List<TransportCc> feedback = drain(r, 1200);
    assertThat(feedback).hasSize(1);
    TransportCc f = feedback.get(0);
    assertThat(f.symbols()).containsExactly(1, 1, 2, 1); // 3 after 2 is -1 ms: a large delta
    assertThat(f.deltas()[1]).isEqualTo(8); // 2 arrived 2 ms after 1
    assertThat(f.deltas()[2]).isEqualTo(-4); // 3 arrived 1 ms before 2
    assertReproduced(arrivals(feedback), sent);
  }

  @Test
  void missingNumbersAreNotReceivedSymbols() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(1, MS);
    r.onPacket(2, 2 * MS);
    r.onPacket(5, 3 * MS);
    r.onPacket(6, 4 * MS);
    TransportCc f = drain(r, 1200).get(0);
    assertThat(f.baseSequence()).isEqualTo(1);
    assertThat(f.symbols()).containsExactly(1, 1, 0, 0, 1, 1);
    // the next feedback starts after 6; losses before the first packet of a feedback are at its start
    r.onPacket(9, 5 * MS);
    TransportCc g = drain(r, 1200).get(0);
    assertThat(g.baseSequence()).isEqualTo(7);
    assertThat(lost(g)).containsExactly(7, 8);
    assertThat(g.feedbackCount()).isEqualTo(1);
  }

  @Test
  void duplicatesKeepTheFirstArrival() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(1, MS);
    r.onPacket(2, 2 * MS);
    r.onPacket(2, 50 * MS);
    assertThat(r.duplicates()).isEqualTo(1);
    assertReproduced(arrivals(drain(r, 1200)), Map.of(1, MS, 2, 2 * MS));
  }

  @Test
  void aGapOfMoreThan8SecondsStartsANewFeedbackPacketWithItsOwnReferenceTime() {
    TransportCcRecorder r = new TransportCcRecorder();
    Map<Integer, Long> sent = Map.of(1, 10 * MS, 2, 11 * MS, 3, 9_000 * MS, 4, 9_001 * MS, 5, 30_000 * MS);
    for (int seq = 1; seq <= 5; seq++) {
      r.onPacket(seq, sent.get(seq));
    }
    byte[] buf = new byte[1200];
    int n = r.write(buf, 0, 1200, SENDER, MEDIA);
    List<TransportCc> feedback = parse(buf, 0, n);
    assertThat(feedback).as("three packets in one datagram").hasSize(3);
    assertThat(feedback).extracting(TransportCc::baseSequence).containsExactly(1, 3, 5);
    assertThat(feedback).extracting(TransportCc::feedbackCount).containsExactly(0, 1, 2);
    assertThat(feedback).extracting(TransportCc::referenceTime).containsExactly(0, 9_000 / 64, 30_000 / 64);
    assertReproduced(arrivals(feedback), sent);
  }

  @Test
  void aDeltaOfJustUnder8SecondsStaysInOnePacket() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(1, 0);
    r.onPacket(2, 32_767 * 250_000L); // the largest large delta
    List<TransportCc> feedback = drain(r, 1200);
    assertThat(feedback).hasSize(1);
    assertThat(feedback.get(0).deltas()).containsExactly(0, 32_767);
  }

  @Test
  void aSmallBudgetSplitsFeedbackIntoPacketsAndDatagramsThatEachFitIt() {
    TransportCcRecorder r = new TransportCcRecorder();
    Map<Integer, Long> sent = new HashMap<>();
    long t = 0;
    for (int seq = 0; seq < 1000; seq++) {
      t += (seq % 3 == 0) ? 70 * MS : 100_000; // every third delta is large
      if (seq % 10 != 9) {
        r.onPacket(seq, t);
        sent.put(seq, t);
      }
    }
    List<TransportCc> feedback = drain(r, 100);
    assertThat(feedback.size()).as("about 50 numbers fit 100 bytes").isGreaterThanOrEqualTo(15);
    int next = 0;
    for (int i = 0; i < feedback.size(); i++) {
      TransportCc f = feedback.get(i);
      assertThat(f.baseSequence()).as("packets continue each other").isEqualTo(next);
      assertThat(f.feedbackCount()).isEqualTo(i);
      next = f.baseSequence() + f.statusCount();
    }
    assertThat(next).isEqualTo(999); // 999 was lost and never followed by a received packet
    assertReproduced(arrivals(feedback), sent);
  }

  @Test
  void theFeedbackCountIsEightBitsAndIncrementsPerPacket() {
    TransportCcRecorder r = new TransportCcRecorder();
    byte[] buf = new byte[1200];
    for (int i = 0; i < 300; i++) {
      r.onPacket(i, i * MS);
      int n = r.write(buf, 0, 1200, SENDER, MEDIA);
      assertThat(parse(buf, 0, n).get(0).feedbackCount()).isEqualTo(i & 0xff);
    }
    assertThat(r.feedbackPackets()).isEqualTo(300);
  }

  @Test
  void aPacketArrivingAfterItWasReportedLostIsReportedInTheNextFeedback() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(1, MS);
    r.onPacket(2, 2 * MS);
    r.onPacket(4, 3 * MS);
    assertThat(lost(drain(r, 1200).get(0))).containsExactly(3);
    r.onPacket(3, 4 * MS);
    r.onPacket(5, 5 * MS);
    TransportCc f = drain(r, 1200).get(0);
    assertThat(f.baseSequence()).isEqualTo(3);
    assertThat(f.symbols()).containsExactly(1, 2, 1); // 4 again, with the time it had
    assertReproduced(arrivals(List.of(f)), Map.of(3, 4 * MS, 4, 3 * MS, 5, 5 * MS));
  }

  @Test
  void aPacketLaterThanTheBackWindowIsIgnored() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(1, MS);
    r.onPacket(3, 2 * MS);
    drain(r, 1200);
    r.onPacket(4, 900 * MS);
    drain(r, 1200); // forgets what arrived more than 500 ms before 900 ms
    r.onPacket(2, 901 * MS);
    assertThat(r.late()).isEqualTo(1);
    assertThat(r.hasPendingFeedback()).isFalse();
  }

  @Test
  void aPacketReorderedBeforeTheVeryFirstIsStillReported() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(10, 2 * MS);
    r.onPacket(9, 3 * MS);
    TransportCc f = drain(r, 1200).get(0);
    assertThat(f.baseSequence()).isEqualTo(9);
    assertThat(f.statusCount()).isEqualTo(2);
  }

  @Test
  void aHugeJumpForwardStartsOverInsteadOfReportingThousandsLost() {
    TransportCcRecorder r = new TransportCcRecorder();
    for (int seq = 1; seq <= 10; seq++) {
      r.onPacket(seq, seq * MS);
    }
    drain(r, 1200);
    r.onPacket(20_000, 20 * MS);
    r.onPacket(20_001, 21 * MS);
    assertThat(r.resets()).isEqualTo(1);
    List<TransportCc> feedback = drain(r, 1200);
    assertThat(feedback).hasSize(1);
    assertThat(feedback.get(0).baseSequence()).isEqualTo(20_000);
    assertThat(feedback.get(0).statusCount()).isEqualTo(2);
  }

  @Test
  void aGapWithinTheRingIsReportedAsOneRunOfLostPackets() {
    TransportCcRecorder r = new TransportCcRecorder();
    r.onPacket(0, MS);
    r.onPacket(8000, 2 * MS);
    TransportCc f = drain(r, TransportCcRecorder.MIN_FEEDBACK_BYTES).get(0);
    assertThat(f.statusCount()).isEqualTo(8001);
    assertThat(lost(f)).hasSize(7999);
  }

  @Test
  void aSenderThatRestartsItsCountFarBehindIsFollowedAfterTwoPackets() {
    TransportCcRecorder r = new TransportCcRecorder();
    for (int seq = 40_000; seq < 40_010; seq++) {
      r.onPacket(seq, MS);
    }
    drain(r, 1200);
    r.onPacket(10_000, 2 * MS);
    assertThat(r.late()).as("one packet that far behind is a stray").isEqualTo(1);
    r.onPacket(10_001, 3 * MS);
    r.onPacket(10_002, 4 * MS);
    assertThat(r.resets()).isEqualTo(1);
    TransportCc f = drain(r, 1200).get(0);
    assertThat(f.baseSequence()).isEqualTo(10_001);
    assertThat(f.statusCount()).isEqualTo(2);
  }

  @Test
  void nothingPendingWritesNothingAndTooSmallABudgetIsRefused() {
    TransportCcRecorder r = new TransportCcRecorder();
    byte[] buf = new byte[100];
    assertThat(r.hasPendingFeedback()).isFalse();
    assertThat(r.write(buf, 0, 100, SENDER, MEDIA)).isZero();
    r.onPacket(1, MS);
    assertThatThrownBy(() -> r.write(buf, 0, TransportCcRecorder.MIN_FEEDBACK_BYTES - 1, SENDER, MEDIA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.write(buf, 90, 28, SENDER, MEDIA)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TransportCcRecorder(1000, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TransportCcRecorder(16384, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordingAndWritingFeedbackAllocateNothing() {
    TransportCcRecorder r = new TransportCcRecorder();
    byte[] buf = new byte[1200];
    long[] clock = {0};
    int[] seq = {0};
    Runnable tenSecondsOfTraffic = () -> {
      for (int i = 0; i < 10_000; i++) {
        clock[0] += 1_000_000 + (i % 5) * 100_000;
        if (i % 50 != 7) {
          r.onPacket(seq[0] & 0xffff, clock[0]);
        }
        seq[0]++;
        if (i % 100 == 0) {
          while (r.hasPendingFeedback()) {
            r.write(buf, 0, 1200, SENDER, MEDIA);
          }
        }
      }
    };
    for (int warm = 0; warm < 20; warm++) {
      tenSecondsOfTraffic.run();
    }
    assertThat(Allocations.of(tenSecondsOfTraffic)).as("bytes allocated for 10,000 packets").isLessThan(1024);
  }

  // ---- property ---------------------------------------------------------------------------

  record Step(int seqStep, long gapMicros, boolean write, int budget) {}

  @Provide
  Arbitrary<List<Step>> traffic() {
    Arbitrary<Integer> seqStep = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(20, Arbitraries.just(1)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(2, 40)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(-6, 0)));
    Arbitrary<Long> gap = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(30, Arbitraries.longs().between(0, 20_000)),
        net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(20_000, 700_000)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(7_000_000, 12_000_000)));
    Arbitrary<Step> step = Combinators.combine(seqStep, gap,
            Arbitraries.integers().between(0, 9).map(i -> i == 0),
            Arbitraries.integers().between(TransportCcRecorder.MIN_FEEDBACK_BYTES, 1200))
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(1500);
  }

  /**
   * Over random traffic (losses, reordering, duplicates, pauses beyond the large delta, writes at
   * random budgets): every packet the recorder accepted is reported received with its arrival
   * time within 250 µs, only accepted packets are ever reported received, a packet is only
   * reported lost when it had not arrived, every datagram fits its budget, and the feedback
   * count goes up by one per packet.
   */
  @Property(tries = 300)
  void feedbackStatesExactlyWhatArrivedAndWhen(
      @ForAll("traffic") List<Step> steps,
      @ForAll @IntRange(min = 0, max = 0xffff) int firstSeq,
      @ForAll @LongRange(min = -1_000_000_000_000_000L, max = 1_000_000_000_000_000L) long firstNanos) {
    TransportCcRecorder r = new TransportCcRecorder();
    Map<Integer, Long> accepted = new HashMap<>();
    Map<Integer, Long> reported = new HashMap<>();
    byte[] buf = new byte[1300];
    int[] expectedCount = {0};
    int seq = firstSeq;
    long t = firstNanos;
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      seq = (seq + s.seqStep()) & 0xffff;
      t += s.gapMicros() * 1000 + (i % 1000);
      long before = r.late() + r.duplicates();
      r.onPacket(seq, t);
      if (r.late() + r.duplicates() == before) {
        assertThat(accepted.put(seq, t)).as("a first arrival").isNull();
      }
      if (s.write() || i == steps.size() - 1) {
        int rounds = 0;
        while (r.hasPendingFeedback()) {
          assertThat(rounds++).isLessThan(10_000);
          int n = r.write(buf, 3, s.budget(), SENDER, MEDIA);
          assertThat(n).isPositive().isLessThanOrEqualTo(s.budget());
          for (TransportCc f : parse(buf, 3, n)) {
            assertThat(f.feedbackCount()).isEqualTo(expectedCount[0]);
            expectedCount[0] = (expectedCount[0] + 1) & 0xff;
            for (int lostSeq : lost(f)) {
              assertThat(accepted).as("reported lost").doesNotContainKey(lostSeq);
            }
            arrivals(List.of(f)).forEach((k, v) -> {
              assertThat(accepted).as("reported received").containsKey(k);
              assertThat(distanceMicros(v, accepted.get(k))).as("seq %d", k).isLessThanOrEqualTo(250);
              reported.put(k, v);
            });
          }
        }
      }
    }
    assertThat(reported.keySet()).isEqualTo(accepted.keySet());
  }
}
