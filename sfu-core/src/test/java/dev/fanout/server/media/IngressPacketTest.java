package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import org.junit.jupiter.api.Test;

/** What a received packet is, learnt once for all its down tracks. */
class IngressPacketTest {
  private final PayloadFormat.Parsers parsers = new PayloadFormat.Parsers();

  private static RtpPacket packet(int seq, byte... payload) {
    byte[] b = new byte[64];
    int n = new RtpWriter().payloadType(96).sequenceNumber(seq).timestamp(9000).ssrc(7).payload(payload).write(b, 0);
    return new RtpPacket().wrap(b, 0, n);
  }

  @Test
  void aKeyframeIsRecognisedByTheFormatChosenAtNegotiation() {
    // VP8 (RFC 7741 §4.2, §4.3): S=1 PID=0 descriptor, then P=0 in the payload header: key frame.
    byte[] vp8Key = {0x10, 0x00, 0x00, 0x00};
    byte[] vp8Delta = {0x10, 0x01, 0x00, 0x00};
    assertThat(parsers.startsKeyframe(PayloadFormat.VP8, vp8Key, 0, vp8Key.length)).isTrue();
    assertThat(parsers.startsKeyframe(PayloadFormat.VP8, vp8Delta, 0, vp8Delta.length)).isFalse();
    // AV1: the aggregation header's N bit.
    assertThat(parsers.startsKeyframe(PayloadFormat.AV1, new byte[] {0x08}, 0, 1)).isTrue();
    assertThat(parsers.startsKeyframe(PayloadFormat.AV1, new byte[] {0x10}, 0, 1)).isFalse();
    // Nothing to parse never holds a stream back; an unnegotiated type and an empty payload never start one.
    assertThat(parsers.startsKeyframe(PayloadFormat.OPAQUE, new byte[] {0}, 0, 1)).isTrue();
    assertThat(parsers.startsKeyframe(PayloadFormat.UNKNOWN, vp8Key, 0, vp8Key.length)).isFalse();
    assertThat(parsers.startsKeyframe(PayloadFormat.VP8, vp8Key, 0, 0)).isFalse();
    assertThat(PayloadFormat.of("vp9")).isEqualTo(PayloadFormat.VP9);
    assertThat(PayloadFormat.of("opus")).isEqualTo(PayloadFormat.OPAQUE);
  }

  @Test
  void theKeyframeAnswerIsWorkedOutOnceAndResetForTheNextPacket() {
    IngressPacket in = new IngressPacket(parsers);
    Producer.Layer layer = new Producer.Layer(null, 7, 0, true);
    RtpPacket key = packet(1, (byte) 0x10, (byte) 0x00, (byte) 0, (byte) 0);
    layer.sequence.update(1);
    in.fill(key, layer, 5, PayloadFormat.VP8);
    assertThat(in.keyframe()).isTrue();
    key.buffer()[key.payloadOffset() + 1] = 0x01; // the bytes change under it: the answer is kept
    assertThat(in.keyframe()).isTrue();

    RtpPacket delta = packet(2, (byte) 0x10, (byte) 0x01, (byte) 0, (byte) 0);
    layer.sequence.update(2);
    in.fill(delta, layer, 6, PayloadFormat.VP8);
    assertThat(in.keyframe()).isFalse();
  }

  @Test
  void aRepairGetsItsOwnExtendedSequenceNumberAcrossTheWrap() {
    IngressPacket in = new IngressPacket(parsers);
    Producer.Layer layer = new Producer.Layer(null, 7, 0, true);
    for (int s = 65530; s <= 65535 + 4; s++) {
      layer.sequence.update(s & 0xffff);
    }
    // The highest is 65539 (cycle 1, seq 3); a repair of 65534 arrives late.
    in.fill(packet(65534), layer, 7, PayloadFormat.VP8);
    assertThat(in.extendedSeq).isEqualTo(65534);
    in.fill(packet(3), layer, 8, PayloadFormat.VP8);
    assertThat(in.extendedSeq).isEqualTo(65536 + 3);
  }
}
