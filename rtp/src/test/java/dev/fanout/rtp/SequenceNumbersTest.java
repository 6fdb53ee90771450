package dev.fanout.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.srtp.SrtpIndex;
import org.junit.jupiter.api.Test;

class SequenceNumbersTest {
  @Test
  void differencesWrapAroundTheCircle() {
    assertThat(SequenceNumbers.diff(1, 65535)).isEqualTo(2);
    assertThat(SequenceNumbers.diff(65535, 1)).isEqualTo(-2);
    assertThat(SequenceNumbers.diff(100, 100)).isZero();
    assertThat(SequenceNumbers.isNewer(0, 65000)).isTrue();
    assertThat(SequenceNumbers.isNewer(65000, 0)).isFalse();
    assertThat(SequenceNumbers.add(65535, 2)).isEqualTo(1);
    assertThat(SequenceNumbers.add(0, -1)).isEqualTo(65535);
  }

  @Test
  void unwrapperExtendsAcrossWrapsInBothDirections() {
    SequenceNumbers.Unwrapper u = new SequenceNumbers.Unwrapper();
    assertThat(u.unwrap(65534)).isEqualTo(65534);
    assertThat(u.unwrap(65535)).isEqualTo(65535);
    assertThat(u.unwrap(0)).isEqualTo(65536);
    assertThat(u.unwrap(65533)).as("late packet from before the wrap").isEqualTo(65533);
    assertThat(u.unwrap(5)).isEqualTo(65541);
    for (int i = 0; i < 3 * 65536; i += 1000) {
      u.unwrap((5 + i) & 0xffff);
    }
    assertThat(u.unwrap(7)).isEqualTo(4 * 65536 + 7);
  }

  /** RFC 3550 A.1: probation, cycles, a restart after a large jump, and A.3's loss figures. */
  @Test
  void rfc3550SequenceTracking() {
    RtpSequenceTracker t = new RtpSequenceTracker();
    assertThat(t.update(65530)).as("first packet is on probation").isFalse();
    assertThat(t.update(65531)).isTrue();
    for (int s = 65532; s <= 65535; s++) {
      assertThat(t.update(s)).isTrue();
    }
    assertThat(t.update(1)).as("0 lost across the wrap").isTrue();
    assertThat(t.extendedHighest()).isEqualTo(65536 + 1);
    assertThat(t.expected()).isEqualTo(7);
    assertThat(t.received()).isEqualTo(6);
    assertThat(t.cumulativeLost()).isEqualTo(1);
    assertThat(t.takeFractionLost()).isEqualTo((1 << 8) / 7);
    assertThat(t.takeFractionLost()).isZero();

    assertThat(t.update(30000)).as("a large jump is not trusted at once").isFalse();
    assertThat(t.update(30001)).as("but two in a row restart the source").isTrue();
    assertThat(t.extendedHighest()).isEqualTo(30001);
    assertThat(t.update(29990)).as("reordered within the window").isTrue();
  }

  /** RFC 3711 §3.3.1: the receiver's guess of the ROC around a wrap. */
  @Test
  void rfc3711RocEstimation() {
    assertThat(SrtpIndex.estimateRoc(5, 65000, 10)).as("wrapped forward").isEqualTo(6);
    assertThat(SrtpIndex.estimateRoc(5, 10, 65000)).as("late, from before the wrap").isEqualTo(4);
    assertThat(SrtpIndex.estimateRoc(5, 1000, 2000)).isEqualTo(5);
    assertThat(SrtpIndex.estimateRoc(5, 40000, 30000)).isEqualTo(5);
    assertThat(SrtpIndex.estimateRoc(0, 10, 65000)).as("modulo 2^32").isEqualTo(0xffffffffL);
    assertThat(SrtpIndex.index(1, 2)).isEqualTo(65538);
    assertThat(SrtpIndex.estimateIndex(0xffffffffL, 65535, 0)).isZero();
  }
}
