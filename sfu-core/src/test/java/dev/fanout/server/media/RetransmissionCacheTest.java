package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RetransmissionCacheTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void storedPacketIsReturnedAsAnIndependentCopy() {
    RetransmissionCache cache = new RetransmissionCache(1024, 2 * SECOND);
    byte[] packet = {1, 2, 3, 4, 5};
    cache.store(7, packet, 0, 5, 0);
    packet[0] = 99; // the caller reuses its buffer
    ByteBuf out = Unpooled.buffer();
    try {
      assertThat(cache.copyTo(7, out, SECOND)).isEqualTo(5);
      assertThat(out.getByte(0)).isEqualTo((byte) 1);
    } finally {
      out.release();
    }
  }

  @Test
  void capacityRoundsToPowerOfTwoAndOverwrittenSlotsMiss() {
    RetransmissionCache cache = new RetransmissionCache(1000, 2 * SECOND);
    assertThat(cache.capacity()).isEqualTo(1024);
    cache.store(5, new byte[] {1}, 0, 1, 0);
    cache.store(5 + 1024, new byte[] {2}, 0, 1, 0);
    assertThat(cache.contains(5, 0)).isFalse();
    assertThat(cache.contains(5 + 1024, 0)).isTrue();
  }

  @Test
  void packetsOlderThanMaxAgeAreNotReturned() {
    RetransmissionCache cache = new RetransmissionCache(16, SECOND);
    cache.store(1, new byte[] {1}, 0, 1, 0);
    assertThat(cache.contains(1, SECOND)).isTrue();
    assertThat(cache.contains(1, SECOND + 1)).isFalse();
  }

  @Test
  void sequenceNumbersAreTakenModulo65536AndOversizedPacketsAreNotCached() {
    RetransmissionCache cache = new RetransmissionCache(16, SECOND);
    cache.store(65536 + 3, new byte[] {1}, 0, 1, 0);
    assertThat(cache.contains(3, 0)).isTrue();
    assertThat(cache.store(4, new byte[2000], 0, 2000, 0)).isFalse();
    assertThat(cache.contains(4, 0)).isFalse();
  }

  @Test
  void copyIntoAnArrayLandsAtTheOffsetAndMissesWhenAbsentOrTooOld() {
    RetransmissionCache cache = new RetransmissionCache(16, SECOND);
    cache.store(9, new byte[] {7, 8, 9}, 0, 3, 0);
    byte[] out = new byte[RetransmissionCache.MAX_PACKET + 4];
    assertThat(cache.copyTo(9, out, 4, SECOND)).isEqualTo(3);
    assertThat(out).startsWith(0, 0, 0, 0, 7, 8, 9, 0);
    assertThat(cache.copyTo(10, out, 0, SECOND)).isEqualTo(-1);
    assertThat(cache.copyTo(9, out, 0, SECOND + 1)).isEqualTo(-1);
  }
}
