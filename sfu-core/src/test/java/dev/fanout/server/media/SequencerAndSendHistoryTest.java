package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.rtcp.TransportCc;
import org.junit.jupiter.api.Test;

/** The two per-packet records of the send path, on their packed entries. */
class SequencerAndSendHistoryTest {
  private static final Producer.Layer LOW = new Producer.Layer(null, 1, 0, false);
  private static final Producer.Layer HIGH = new Producer.Layer(null, 2, 1, false);

  @Test
  void aSequencerEntryAnswersForItsOwnOutgoingNumberOnlyUntilTheRingWrapsOverIt() {
    Sequencer s = new Sequencer(16);
    assertThat(s.layer(0)).as("empty").isNull();
    s.record(0xfffe, LOW, 0x1234, 0xfedcba98L);
    s.record(0xffff, HIGH, 0xffff, 0xffffffffL);
    s.record(0, HIGH, 7, 0);
    assertThat(s.layer(0xfffe)).isSameAs(LOW);
    assertThat(s.inSeq(0xfffe)).isEqualTo(0x1234);
    assertThat(s.timestamp(0xfffe)).isEqualTo(0xfedcba98L);
    assertThat(s.layer(0xffff)).isSameAs(HIGH);
    assertThat(s.inSeq(0xffff)).isEqualTo(0xffff);
    assertThat(s.timestamp(0xffff)).isEqualTo(0xffffffffL);
    assertThat(s.layer(0)).isSameAs(HIGH);
    assertThat(s.inSeq(0)).isEqualTo(7);
    assertThat(s.layer(16)).as("another number on the same slot").isNull();
    s.record(14, LOW, 9, 5); // 14 shares 0xfffe's slot
    assertThat(s.layer(0xfffe)).isNull();
    assertThat(s.layer(14)).isSameAs(LOW);
  }

  @Test
  void theSendHistoryKeepsSizeAndSendTimeAndLearnsArrivalsFromFeedback() {
    SendHistory h = new SendHistory(16);
    assertThat(h.contains(0)).as("empty").isFalse();
    h.sent(0xffff, 1200, 1_000L);
    h.sent(0, 80, 2_000L);
    h.sent(1, 65_535, 3_000L);
    assertThat(h.contains(0xffff)).isTrue();
    assertThat(h.size(0xffff)).isEqualTo(1200);
    assertThat(h.sentNanos(0)).isEqualTo(2_000L);
    assertThat(h.size(1)).isEqualTo(65_535);
    assertThat(h.arrivalMicros(0)).as("before feedback").isEqualTo(Long.MIN_VALUE);

    // 0xffff received, 0 lost, 1 received 1 ms later (4 ticks of 250 µs).
    h.onFeedback(new TransportCc(1, 2, 0xffff, 10, 0,
        new byte[] {TransportCc.SMALL_DELTA, TransportCc.NOT_RECEIVED, TransportCc.SMALL_DELTA}, new int[] {0, 4}));
    long reference = 10L * TransportCc.REFERENCE_TICK_MILLIS * 1000;
    assertThat(h.arrivalMicros(0xffff)).isEqualTo(reference);
    assertThat(h.arrivalMicros(0)).isEqualTo(Long.MIN_VALUE);
    assertThat(h.arrivalMicros(1)).isEqualTo(reference + 1000);
    assertThat(h.reportedReceived()).isEqualTo(2);
    assertThat(h.reportedLost()).isEqualTo(1);

    h.sent(17, 100, 4_000L); // 17 takes 1's slot: a new packet, its arrival unknown
    assertThat(h.contains(1)).isFalse();
    assertThat(h.arrivalMicros(17)).isEqualTo(Long.MIN_VALUE);
    assertThat(h.size(17)).isEqualTo(100);
  }

  @Test
  void aSequencerWithMoreLayersThanSlotsForgetsRatherThanNamesAnotherLayer() {
    Sequencer s = new Sequencer(16); // 15 slots
    Producer.Layer[] layers = new Producer.Layer[40];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = new Producer.Layer(null, 100 + i, i, false);
      s.record(i, layers[i], 1000 + i, i);
      assertThat(s.layer(i)).isSameAs(layers[i]);
      for (int j = Math.max(0, i - 15); j <= i; j++) {
        assertThat(s.layer(j)).as("entry %d after %d", j, i).isIn(layers[j], null);
      }
    }
    s.record(40, layers[39], 7, 8);
    s.record(41, layers[38], 9, 10);
    assertThat(s.layer(40)).isSameAs(layers[39]);
    assertThat(s.layer(41)).isSameAs(layers[38]);
    assertThat(s.inSeq(41)).isEqualTo(9);
  }

  @Test
  void sendTimesAreKeptToTheMicrosecondAcrossNegativeClocksAndLongGaps() {
    SendHistory h = new SendHistory(16);
    h.sent(1, 100, -5_999L);
    assertThat(h.sentNanos(1)).isEqualTo(-6_000L);
    long later = -5_999L + 1_000_000_000_000L; // 1000 s later
    h.sent(2, 100, later);
    assertThat(h.sentNanos(1)).isEqualTo(-6_000L);
    assertThat(h.sentNanos(2)).as("floored to the µs").isEqualTo(999_999_994_000L);
    assertThat(h.size(1)).isEqualTo(100);
    h.sent(3, 70_000, later + 1);
    assertThat(h.size(3)).as("at most 65535").isEqualTo(65_535);
  }
}
