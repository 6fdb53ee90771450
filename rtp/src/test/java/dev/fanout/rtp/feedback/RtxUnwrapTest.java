package dev.fanout.rtp.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** RFC 4588 §4: an RTX packet turned back into the packet it retransmits, byte for byte. */
class RtxUnwrapTest {
  private static final int SSRC = 0x1234_5678;
  private static final int RTX_SSRC = 0x0badcafe;
  private static final int PT = 96;
  private static final int RTX_PT = 97;

  private static RtpWriter original(int seq, byte[] payload, int padding) {
    return new RtpWriter()
        .marker(true)
        .payloadType(PT)
        .sequenceNumber(seq)
        .timestamp(0xfedc_ba98L)
        .ssrc(SSRC)
        .csrcs(0x0101_0101, 0x0202_0202)
        .extension(3, new byte[] {0x12, 0x34}) // transport-wide sequence number
        .extension(5, new byte[] {1, 2, 3}) // abs-send-time
        .payload(payload)
        .padding(padding);
  }

  private static byte[] payload(int n) {
    byte[] p = new byte[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) (i * 7 + 3);
    }
    return p;
  }

  /**
   * Wraps the packet of {@code len} bytes at 0 as RTX the way the server's consumer does: the
   * payload (without padding) moves 2 bytes on, the OSN goes in front, the P bit is cleared and
   * the header gets the RTX payload type, SSRC and sequence number.
   */
  private static int wrapLikeTheConsumer(byte[] buf, int len, int rtxSeq) {
    RtpPacket out = new RtpPacket().wrap(buf, 0, len);
    int osn = out.sequenceNumber();
    int payload = out.payloadOffset();
    int end = payload + out.payloadLength();
    System.arraycopy(buf, payload, buf, payload + 2, end - payload);
    buf[payload] = (byte) (osn >> 8);
    buf[payload + 1] = (byte) osn;
    buf[0] &= (byte) ~0x20;
    len = end + 2;
    out.wrap(buf, 0, len);
    out.setPayloadType(RTX_PT).setSsrc(RTX_SSRC).setSequenceNumber(rtxSeq);
    return len;
  }

  @Test
  void aPacketWrappedLikeTheServerRetransmitsComesBackByteForByteWithoutItsPadding() {
    byte[] expected = original(4321, payload(300), 0).toByteArray();
    byte[] buf = new byte[1500];
    int len = original(4321, payload(300), 20).write(buf, 0);
    len = wrapLikeTheConsumer(buf, len, 777);
    RtpPacket p = new RtpPacket().wrap(buf, 0, len);
    assertThat(RtxUnwrap.originalSequenceNumber(p)).isEqualTo(4321);

    int restored = RtxUnwrap.unwrap(p, SSRC, PT);

    assertThat(restored).isEqualTo(expected.length);
    assertThat(Arrays.copyOf(buf, restored)).isEqualTo(expected);
    assertThat(p.length()).as("the view shows the restored packet").isEqualTo(restored);
    assertThat(p.sequenceNumber()).isEqualTo(4321);
    assertThat(p.ssrc()).isEqualTo(SSRC);
    assertThat(p.payloadType()).isEqualTo(PT);
    assertThat(p.marker()).isTrue();
    assertThat(p.extensionOffset(3)).isPositive();
  }

  @Test
  void anRtxPacketWithItsOwnPaddingKeepsThePadding() {
    byte[] media = payload(100);
    byte[] expected = original(65535, media, 13).toByteArray();
    byte[] rtxPayload = new byte[102];
    rtxPayload[0] = (byte) 0xff;
    rtxPayload[1] = (byte) 0xff;
    System.arraycopy(media, 0, rtxPayload, 2, 100);
    byte[] buf = new byte[2000];
    int off = 100;
    Arrays.fill(buf, (byte) 0x5a);
    int len = original(9, rtxPayload, 13).payloadType(RTX_PT).ssrc(RTX_SSRC).write(buf, off);
    RtpPacket p = new RtpPacket().wrap(buf, off, len);

    int restored = RtxUnwrap.unwrap(p, SSRC, PT);

    assertThat(Arrays.copyOfRange(buf, off, off + restored)).isEqualTo(expected);
    assertThat(p.paddingLength()).isEqualTo(13);
    assertThat(p.payloadLength()).isEqualTo(100);
    assertThat(buf[off - 1]).as("nothing before the packet touched").isEqualTo((byte) 0x5a);
  }

  @Test
  void aPaddingOnlyPacketIsNotARetransmissionAndStaysAsItIs() {
    byte[] bytes = new RtpWriter().payloadType(RTX_PT).sequenceNumber(5).ssrc(RTX_SSRC)
        .extension(3, new byte[] {0, 9}).padding(224).toByteArray();
    byte[] copy = bytes.clone();
    RtpPacket p = new RtpPacket().wrap(bytes);
    assertThat(RtxUnwrap.originalSequenceNumber(p)).isEqualTo(-1);
    assertThat(RtxUnwrap.unwrap(p, SSRC, PT)).isEqualTo(-1);
    assertThat(bytes).isEqualTo(copy);
  }

  @Test
  void anRtxPacketOfOnlyTheOriginalSequenceNumberRestoresAnEmptyPayload() {
    byte[] bytes = new RtpWriter().payloadType(RTX_PT).sequenceNumber(5).ssrc(RTX_SSRC)
        .payload(new byte[] {0x01, 0x02}).toByteArray();
    RtpPacket p = new RtpPacket().wrap(bytes);
    assertThat(RtxUnwrap.unwrap(p, SSRC, PT)).isEqualTo(12);
    assertThat(p.sequenceNumber()).isEqualTo(0x0102);
    assertThat(p.payloadLength()).isZero();
  }

  @Test
  void aPayloadTypeOutsideSevenBitsIsRefused() {
    RtpPacket p = new RtpPacket().wrap(original(1, payload(10), 0).toByteArray());
    assertThatThrownBy(() -> RtxUnwrap.unwrap(p, SSRC, 128)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unwrappingAllocatesNothing() {
    byte[] template = new byte[1500];
    int templateLen = wrapLikeTheConsumer(template, original(1, payload(1100), 0).write(template, 0), 1);
    byte[] buf = new byte[1500];
    RtpPacket p = new RtpPacket();
    Runnable tenThousand = () -> {
      for (int i = 0; i < 10_000; i++) {
        System.arraycopy(template, 0, buf, 0, templateLen);
        RtxUnwrap.unwrap(p.wrap(buf, 0, templateLen), SSRC, PT);
      }
    };
    for (int warm = 0; warm < 20; warm++) {
      tenThousand.run();
    }
    assertThat(Allocations.of(tenThousand)).as("bytes allocated for 10,000 packets").isLessThan(1024);
  }

  /** Any packet, wrapped as the server wraps it, unwraps to itself (without padding). */
  @Property(tries = 500)
  void consumerWrapThenUnwrapIsTheIdentity(
      @ForAll @IntRange(min = 0, max = 0xffff) int seq,
      @ForAll @IntRange(min = 0, max = 0xffff) int rtxSeq,
      @ForAll @IntRange(min = 0, max = 127) int pt,
      @ForAll int ssrc,
      @ForAll @Size(max = 15) int[] csrcs,
      @ForAll @Size(max = 1200) byte[] payload,
      @ForAll @IntRange(min = 0, max = 255) int padding,
      @ForAll @Size(max = 40) byte[] extension) {
    RtpWriter w = new RtpWriter().payloadType(pt).sequenceNumber(seq).ssrc(ssrc).csrcs(csrcs).payload(payload);
    if (extension.length > 0) {
      w.extension(1 + extension.length % 200, extension);
    }
    byte[] expected = w.toByteArray();
    byte[] buf = new byte[2000];
    int len = wrapLikeTheConsumer(buf, w.padding(padding).write(buf, 0), rtxSeq);
    RtpPacket p = new RtpPacket().wrap(buf, 0, len);
    assertThat(RtxUnwrap.unwrap(p, ssrc, pt)).isEqualTo(expected.length);
    assertThat(Arrays.copyOf(buf, expected.length)).isEqualTo(expected);
  }
}
