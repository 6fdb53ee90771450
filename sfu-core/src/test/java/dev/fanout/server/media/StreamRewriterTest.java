package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamRewriterTest {
  private static final long MS = 1_000_000L;

  @Test
  void firstSourcePassesThroughUnchanged() {
    StreamRewriter r = new StreamRewriter(90000);
    assertThat(r.rewrite(1000, 5000, 0)).isTrue();
    assertThat(r.outSeq()).isEqualTo(1000);
    assertThat(r.outTimestamp()).isEqualTo(5000);
    assertThat(r.rewrite(1001, 8000, 33 * MS)).isTrue();
    assertThat(r.outSeq()).isEqualTo(1001);
  }

  @Test
  void inputGapsStayGapsSoTheSubscriberCanNack() {
    StreamRewriter r = new StreamRewriter(90000);
    r.rewrite(10, 0, 0);
    r.rewrite(13, 3000, MS);
    assertThat(r.outSeq()).isEqualTo(13);
    assertThat(r.rewrite(11, 1000, 2 * MS)).as("late retransmission inside the source").isTrue();
    assertThat(r.outSeq()).isEqualTo(11);
    assertThat(r.highestOutSeq()).isEqualTo(13);
  }

  @Test
  void sourceSwitchContinuesWithoutGapOrTimestampJump() {
    StreamRewriter r = new StreamRewriter(90000);
    r.rewrite(500, 1_000_000, 0);
    r.rewrite(501, 1_003_000, 33 * MS);
    r.switchSource();
    // The new source has unrelated numbering.
    assertThat(r.rewrite(40000, 77, 133 * MS)).isTrue();
    assertThat(r.outSeq()).isEqualTo(502);
    assertThat(r.outTimestamp()).isEqualTo(1_003_000 + 9000); // 100 ms at 90 kHz
    assertThat(r.rewrite(40001, 77 + 3000, 166 * MS)).isTrue();
    assertThat(r.outSeq()).isEqualTo(503);
    assertThat(r.outTimestamp()).isEqualTo(1_003_000 + 9000 + 3000);
    assertThat(r.inputSeqOf(503)).isEqualTo(40001);
  }

  @Test
  void packetsFromBeforeTheSwitchPointAreDropped() {
    StreamRewriter r = new StreamRewriter(48000);
    r.rewrite(1, 0, 0);
    r.switchSource();
    r.rewrite(200, 0, 20 * MS);
    assertThat(r.rewrite(199, 0, 21 * MS)).isFalse();
    assertThat(r.rewrite(201, 960, 40 * MS)).isTrue();
    assertThat(r.outSeq()).isEqualTo(3);
  }

  @Test
  void sequenceNumbersWrapAt65536() {
    StreamRewriter r = new StreamRewriter(90000);
    r.rewrite(65534, 0xfffffff0L, 0);
    r.rewrite(65535, 0xfffffff8L, MS);
    assertThat(r.rewrite(0, 0x10, 2 * MS)).isTrue();
    assertThat(r.outSeq()).isZero();
    assertThat(r.outTimestamp()).isEqualTo(0x10);
    r.switchSource();
    r.rewrite(7, 100, 3 * MS);
    assertThat(r.outSeq()).isEqualTo(1);
  }
}
