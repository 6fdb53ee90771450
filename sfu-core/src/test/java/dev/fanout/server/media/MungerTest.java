package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.HeaderExtensions;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import dev.fanout.sdp.Direction;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.RtpExtensionUris;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MungerTest {
  private static final String DD = RtpExtensionUris.DEPENDENCY_DESCRIPTOR;
  private static final byte[] PAYLOAD = "a payload the munger must not touch".getBytes(StandardCharsets.US_ASCII);

  /** The publisher's ids, as a Chromium publish offer numbers them. */
  private static NegotiatedMedia publisher() {
    Map<String, Integer> ids = new LinkedHashMap<>();
    ids.put(RtpExtensionUris.SSRC_AUDIO_LEVEL, 1);
    ids.put(RtpExtensionUris.ABS_SEND_TIME, 2);
    ids.put(RtpExtensionUris.TRANSPORT_WIDE_CC, 3);
    ids.put(RtpExtensionUris.MID, 4);
    ids.put(RtpExtensionUris.RID, 10);
    ids.put(DD, 12);
    return media("1", ids);
  }

  /** The subscriber answered other ids for the same URIs. */
  private static NegotiatedMedia subscriber(boolean withTransportCc) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    ids.put(RtpExtensionUris.MID, 9);
    ids.put(RtpExtensionUris.SSRC_AUDIO_LEVEL, 5);
    if (withTransportCc) {
      ids.put(RtpExtensionUris.TRANSPORT_WIDE_CC, 7);
    }
    ids.put(DD, 14);
    return media("12", ids);
  }

  private static NegotiatedMedia media(String mid, Map<String, Integer> ids) {
    return new NegotiatedMedia(mid, MediaKind.VIDEO, true, Direction.SENDONLY, List.of(), ids, List.of(),
        List.of(), List.of(), null, null, null);
  }

  private static RtpPacket packet(RtpWriter w) {
    byte[] b = w.toByteArray();
    return new RtpPacket().wrap(b, 0, b.length);
  }

  private static RtpWriter chromiumPacket() {
    return new RtpWriter().payloadType(96).sequenceNumber(100).timestamp(9000).ssrc(0x1111)
        .marker(true)
        .extension(4, "1".getBytes(StandardCharsets.US_ASCII)) // the publisher's mid
        .extension(10, "h".getBytes(StandardCharsets.US_ASCII))
        .extension(3, new byte[] {0x12, 0x34})
        .extension(1, new byte[] {(byte) 0x85})
        .payload(PAYLOAD);
  }

  private static String text(RtpPacket p, int id) {
    return new String(p.buffer(), p.extensionOffset(id), p.extensionLength(id), StandardCharsets.US_ASCII);
  }

  private static byte[] value(RtpPacket p, int id) {
    int at = p.extensionOffset(id);
    return Arrays.copyOfRange(p.buffer(), at, at + p.extensionLength(id));
  }

  private static byte[] payload(RtpPacket p) {
    return Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
  }

  @Test
  void theMidIsTheSubscribersAndTheTransportSequenceIsTheSubscriberTransports() {
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    byte[] dst = new byte[2048];
    int len = m.write(packet(chromiumPacket()), dst, 64, 100, 7, 123456L, 0x2222, 0xabcd, 0);
    RtpPacket out = new RtpPacket().wrap(dst, 0, len);

    assertThat(out.payloadType()).isEqualTo(100);
    assertThat(out.sequenceNumber()).isEqualTo(7);
    assertThat(out.timestamp()).isEqualTo(123456L);
    assertThat(out.ssrc()).isEqualTo(0x2222);
    assertThat(out.marker()).isTrue();
    assertThat(text(out, 9)).as("MID under the subscriber's id carries the subscriber's mid").isEqualTo("12");
    assertThat(value(out, 7)).as("this transport's own sequence number").containsExactly(0xab, 0xcd);
    assertThat(value(out, 5)).as("audio level copied under the subscriber's id").containsExactly(0x85);
    assertThat(out.extensionOffset(4)).as("no element under the publisher's MID id").isNegative();
    assertThat(out.extensionOffset(10)).as("no RID: the subscriber's section has no simulcast").isNegative();
    assertThat(out.extensionOffset(3)).isNegative();
    assertThat(HeaderExtensions.isOneByte(out.extensionProfile())).isTrue();
    assertThat(payload(out)).containsExactly(PAYLOAD);
  }

  @Test
  void aLongDependencyDescriptorIsCopiedInTheTwoByteForm() {
    byte[] dd = new byte[21];
    for (int i = 0; i < dd.length; i++) {
      dd[i] = (byte) (i * 7 + 1);
    }
    RtpPacket in = packet(chromiumPacket().extension(12, dd));
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    byte[] dst = new byte[2048];
    int len = m.write(in, dst, 64, 100, 8, 1L, 0x2222, 1, 0);
    RtpPacket out = new RtpPacket().wrap(dst, 0, len);

    assertThat(HeaderExtensions.isTwoByte(out.extensionProfile())).isTrue();
    assertThat(value(out, 14)).containsExactly(dd);
    assertThat(text(out, 9)).isEqualTo("12");
    assertThat(payload(out)).containsExactly(PAYLOAD);
  }

  @Test
  void withNothingNegotiatedTheExtensionBlockGoesAndPaddingStays() {
    RtpPacket in = packet(chromiumPacket().padding(7));
    Munger m = new Munger();
    m.negotiated(publisher(), media("3", Map.of()), "3");
    byte[] dst = new byte[2048];
    int len = m.write(in, dst, 64, 96, 9, 2L, 0x3333, 0, 0);
    RtpPacket out = new RtpPacket().wrap(dst, 0, len);

    assertThat(out.hasExtension()).isFalse();
    assertThat(out.hasPadding()).isTrue();
    assertThat(out.paddingLength()).isEqualTo(7);
    assertThat(payload(out)).containsExactly(PAYLOAD);
    assertThat(m.stampsTransportSeq()).isFalse();
  }

  @Test
  void aPacketThatWouldNotLeaveRoomForSrtpIsRefused() {
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    RtpPacket in = packet(chromiumPacket());
    byte[] small = new byte[in.length() + 16];
    assertThat(m.write(in, small, 64, 96, 1, 1L, 1, 1, 0)).isEqualTo(-1);
  }
}
