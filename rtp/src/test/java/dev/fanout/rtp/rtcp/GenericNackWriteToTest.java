package dev.fanout.rtp.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The allocation-free Generic NACK writer (RFC 4585 §6.2.1) against the record's writer. */
class GenericNackWriteToTest {
  @Test
  void aBurstAndAStrayNumberMakeTwoEntries() {
    int[] lost = {100, 101, 103, 116, 117, 500, 0};
    byte[] buf = new byte[64];
    int len = GenericNack.writeTo(buf, 4, 0xaabbccdd, 0x11223344, lost, 6);
    assertThat(len).isEqualTo(24);
    assertThat(Arrays.copyOfRange(buf, 4, 4 + len)).isEqualTo(new byte[] {
        (byte) 0x81, (byte) 205, 0, 5, // V=2, FMT=1, RTPFB, length 5 words
        (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, // sender SSRC
        0x11, 0x22, 0x33, 0x44, // media SSRC
        0, 100, (byte) 0x80, 0x05, // PID 100; BLP bits 0 (101), 2 (103), 15 (116)
        0, 117, 0, 0, // 117 is 17 after 100: a new entry
        0x01, (byte) 0xf4, 0, 0}); // PID 500; the 7th number is beyond count
  }

  @Test
  void anEmptyListIsRefused() {
    assertThatThrownBy(() -> GenericNack.writeTo(new byte[64], 0, 1, 2, new int[4], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GenericNack.writeTo(new byte[12], 0, 1, 2, new int[] {1}, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 500)
  void writesWhatTheRecordWrites(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 0xffff) Integer> lost,
      @ForAll int sender, @ForAll int media) {
    GenericNack record = new GenericNack(sender, media, lost);
    int[] seqs = lost.stream().mapToInt(Integer::intValue).toArray();
    byte[] buf = new byte[12 + 4 * seqs.length];
    int len = GenericNack.writeTo(buf, 0, sender, media, seqs, seqs.length);
    assertThat(len).isEqualTo(GenericNack.sizeOf(seqs, seqs.length)).isEqualTo(record.size());
    assertThat(Arrays.copyOf(buf, len)).isEqualTo(record.toByteArray());
  }
}
