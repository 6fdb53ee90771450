package dev.fanout.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PacketClassTest {

  @Test
  void rfc7983RangesMapEveryFirstByteToItsClass() {
    for (int b = 0; b < 256; b++) {
      PacketClass expected;
      if (b <= 3) {
        expected = PacketClass.STUN;
      } else if (b >= 20 && b <= 63) {
        expected = PacketClass.DTLS;
      } else if (b >= 128 && b <= 191) {
        expected = PacketClass.RTP_RTCP;
      } else {
        expected = PacketClass.UNKNOWN;
      }
      assertThat(PacketClass.ofFirstByte(b)).as("first byte %d", b).isEqualTo(expected);
    }
  }

  @Test
  void rangeEdgesAreInclusive() {
    assertThat(PacketClass.ofFirstByte(3)).isEqualTo(PacketClass.STUN);
    assertThat(PacketClass.ofFirstByte(4)).isEqualTo(PacketClass.UNKNOWN);
    assertThat(PacketClass.ofFirstByte(19)).isEqualTo(PacketClass.UNKNOWN); // ZRTP
    assertThat(PacketClass.ofFirstByte(20)).isEqualTo(PacketClass.DTLS);
    assertThat(PacketClass.ofFirstByte(63)).isEqualTo(PacketClass.DTLS);
    assertThat(PacketClass.ofFirstByte(64)).isEqualTo(PacketClass.UNKNOWN); // TURN channel
    assertThat(PacketClass.ofFirstByte(127)).isEqualTo(PacketClass.UNKNOWN);
    assertThat(PacketClass.ofFirstByte(128)).isEqualTo(PacketClass.RTP_RTCP);
    assertThat(PacketClass.ofFirstByte(191)).isEqualTo(PacketClass.RTP_RTCP);
    assertThat(PacketClass.ofFirstByte(192)).isEqualTo(PacketClass.UNKNOWN);
  }

  @Test
  void emptyDatagramIsUnknown() {
    assertThat(PacketClass.of(new byte[0], 0, 0)).isEqualTo(PacketClass.UNKNOWN);
    ByteBuf empty = Unpooled.EMPTY_BUFFER;
    assertThat(PacketClass.of(empty)).isEqualTo(PacketClass.UNKNOWN);
  }

  @Test
  void byteBufClassificationLeavesIndicesAlone() {
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0x60, 0, 1});
    try {
      assertThat(PacketClass.of(buf)).isEqualTo(PacketClass.RTP_RTCP);
      assertThat(buf.readerIndex()).isZero();
    } finally {
      buf.release();
    }
  }
}
