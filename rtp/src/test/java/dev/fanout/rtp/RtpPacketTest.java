package dev.fanout.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 3550 §5.1 header parsing, in-place rewriting and the checks on every length. */
class RtpPacketTest {
  // V=2 P=1 X=1 CC=2 | M=1 PT=111 | seq 0x1234 | ts 0xdeadbeef | SSRC 0xcafebabe
  // CSRC 0x01020304, 0x05060708 | ext 0xBEDE len 1: id 1 L=0 value 0x42, 3 zero bytes
  // payload 01 02 03 | padding 00 00 03
  static final byte[] PACKET = Hex.bytes(
      "b2ef1234 deadbeef cafebabe"
          + "01020304 05060708"
          + "bede0001 10420000"
          + "010203"
          + "000003");

  @Test
  void parsesEveryHeaderField() {
    RtpPacket p = new RtpPacket().wrap(PACKET);
    assertThat(p.version()).isEqualTo(2);
    assertThat(p.hasPadding()).isTrue();
    assertThat(p.hasExtension()).isTrue();
    assertThat(p.csrcCount()).isEqualTo(2);
    assertThat(p.marker()).isTrue();
    assertThat(p.payloadType()).isEqualTo(111);
    assertThat(p.sequenceNumber()).isEqualTo(0x1234);
    assertThat(p.timestamp()).isEqualTo(0xdeadbeefL);
    assertThat(p.ssrc()).isEqualTo(0xcafebabe);
    assertThat(p.csrc(0)).isEqualTo(0x01020304);
    assertThat(p.csrc(1)).isEqualTo(0x05060708);
    assertThat(p.headerLength()).isEqualTo(12 + 8 + 8);
    assertThat(p.extensionProfile()).isEqualTo(0xbede);
    assertThat(p.extensionDataLength()).isEqualTo(4);
    assertThat(p.extensionLength(1)).isEqualTo(1);
    assertThat(PACKET[p.extensionOffset(1)]).isEqualTo((byte) 0x42);
    assertThat(p.extensionOffset(2)).isEqualTo(-1);
    assertThat(p.payloadOffset()).isEqualTo(28);
    assertThat(p.payloadLength()).isEqualTo(3);
    assertThat(p.paddingLength()).isEqualTo(3);
  }

  @Test
  void parsesAtAnOffsetAndInAHeapByteBuf() {
    byte[] framed = new byte[PACKET.length + 10];
    System.arraycopy(PACKET, 0, framed, 7, PACKET.length);
    RtpPacket p = new RtpPacket().wrap(framed, 7, PACKET.length);
    assertThat(p.payloadOffset()).isEqualTo(7 + 28);
    assertThat(p.ssrc()).isEqualTo(0xcafebabe);

    ByteBuf buf = Unpooled.buffer(64);
    try {
      buf.writeZero(5).readerIndex(5);
      buf.writeBytes(PACKET);
      assertThat(new RtpPacket().wrap(buf).sequenceNumber()).isEqualTo(0x1234);
      assertThat(buf.readerIndex()).isEqualTo(5);
    } finally {
      buf.release();
    }
    ByteBuf direct = Unpooled.directBuffer(64).writeBytes(PACKET);
    try {
      assertThatThrownBy(() -> new RtpPacket().wrap(direct)).isInstanceOf(IllegalArgumentException.class);
    } finally {
      direct.release();
    }
  }

  @Test
  void inPlaceWritersChangeTheHeaderAndNothingElse() {
    byte[] b = PACKET.clone();
    RtpPacket p = new RtpPacket().wrap(b);
    p.setSsrc(0x11111111).setSequenceNumber(0xffff).setTimestamp(0x1_0000_0002L).setPayloadType(96)
        .setMarker(false);
    assertThat(p.setExtension(1, new byte[] {0x77})).isTrue();
    assertThat(p.setExtension(1, new byte[] {1, 2})).isFalse();
    assertThat(p.setExtension(5, new byte[] {1})).isFalse();

    RtpPacket q = new RtpPacket().wrap(b);
    assertThat(q.ssrc()).isEqualTo(0x11111111);
    assertThat(q.sequenceNumber()).isEqualTo(0xffff);
    assertThat(q.timestamp()).isEqualTo(2);
    assertThat(q.payloadType()).isEqualTo(96);
    assertThat(q.marker()).isFalse();
    assertThat(b[q.extensionOffset(1)]).isEqualTo((byte) 0x77);
    // CSRCs, payload and padding untouched
    assertThat(Arrays.copyOfRange(b, 12, 20)).isEqualTo(Arrays.copyOfRange(PACKET, 12, 20));
    assertThat(Arrays.copyOfRange(b, 28, b.length)).isEqualTo(Arrays.copyOfRange(PACKET, 28, PACKET.length));
    assertThat(b[0]).isEqualTo(PACKET[0]);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "empty, ''",
    "shorter than the fixed header, 80 60 00 01 00 00 00 00 00 00 00",
    "version 0, 00 60 00 01 00 00 00 00 00 00 00 01",
    "version 1, 40 60 00 01 00 00 00 00 00 00 00 01",
    "CSRC count past the end, 81 60 00 01 00 00 00 00 00 00 00 01 00 00 00",
    "extension header missing, 90 60 00 01 00 00 00 00 00 00 00 01 be de",
    "extension length past the end, 90 60 00 01 00 00 00 00 00 00 00 01 be de 00 02 10 01 00 00",
    "padding count zero, a0 60 00 01 00 00 00 00 00 00 00 01 aa 00",
    "padding count past the header, a0 60 00 01 00 00 00 00 00 00 00 01 aa 03",
    "padding with no byte after the header, a0 60 00 01 00 00 00 00 00 00 00 01",
  })
  void malformedHeadersAreTypedFailures(String why, String hex) {
    byte[] b = Hex.bytes(hex);
    assertThatThrownBy(() -> new RtpPacket().wrap(b)).isInstanceOf(RtpFormatException.class);
    assertThat(RtpPacket.isValid(b, 0, b.length)).isFalse();
  }

  @Test
  void paddingMayFillEverythingAfterTheHeader() {
    RtpPacket p = new RtpPacket().wrap(Hex.bytes("a0600001 00000000 00000001 00000004"));
    assertThat(p.payloadLength()).isZero();
    assertThat(p.paddingLength()).isEqualTo(4);
  }

  @Test
  void malformedExtensionElementsFailWhenLookedUp() {
    // one-byte element id 1 claims 4 bytes in a 4-byte block
    RtpPacket p = new RtpPacket().wrap(Hex.bytes("90600001 00000000 00000001 bede0001 13000000"));
    assertThatThrownBy(() -> p.extensionOffset(1)).isInstanceOf(RtpFormatException.class);
    // two-byte element header cut by the end of the block
    RtpPacket q = new RtpPacket().wrap(Hex.bytes("90600001 00000000 00000001 10000001 00000005"));
    assertThatThrownBy(() -> q.extensionOffset(5)).isInstanceOf(RtpFormatException.class);
  }

  @Test
  void writerAndViewAgree() {
    byte[] payload = {9, 8, 7};
    byte[] b = new RtpWriter().marker(true).payloadType(111).sequenceNumber(0x1234)
        .timestamp(0xdeadbeefL).ssrc(0xcafebabe).csrcs(0x01020304, 0x05060708)
        .extension(1, new byte[] {0x42}).payload(payload).padding(3).toByteArray();
    byte[] expected = PACKET.clone();
    System.arraycopy(payload, 0, expected, 28, 3);
    assertThat(Hex.of(b)).isEqualTo(Hex.of(expected));
  }
}
