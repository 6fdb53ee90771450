package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.HeaderExtensions;
import dev.fanout.rtp.RtpFormatException;
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
import java.util.Random;
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

  // ---- the cached layout ----------------------------------------------------------------------

  /** A packet whose extension block is {@code profile} and {@code data} as given (padded to words). */
  private static RtpPacket raw(int profile, byte[] data) {
    int block = data == null ? 0 : 4 + ((data.length + 3) & ~3);
    byte[] b = new byte[12 + block + PAYLOAD.length];
    b[0] = (byte) (data == null ? 0x80 : 0x90);
    b[1] = (byte) 96;
    Bytes.put16(b, 2, 100);
    Bytes.put32(b, 4, 9000);
    Bytes.put32(b, 8, 0x1111);
    if (data != null) {
      Bytes.put16(b, 12, profile);
      Bytes.put16(b, 14, (block - 4) / 4);
      System.arraycopy(data, 0, b, 16, data.length);
    }
    System.arraycopy(PAYLOAD, 0, b, 12 + block, PAYLOAD.length);
    return new RtpPacket().wrap(b, 0, b.length);
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  /** What {@code m} writes for {@code in}, and what a new munger (no layout yet) writes. */
  private static void assertSameAsFresh(Munger m, RtpPacket in, int seq) {
    byte[] cached = new byte[2048];
    int len = m.write(in, cached, 64, 100, seq, 5000L + seq, 0x2222, seq * 3, seq * 7);
    Munger fresh = new Munger();
    fresh.negotiated(publisher(), subscriber(true), "12");
    byte[] expected = new byte[2048];
    int expectedLen = fresh.write(in, expected, 64, 100, seq, 5000L + seq, 0x2222, seq * 3, seq * 7);
    assertThat(len).as("length of packet %d", seq).isEqualTo(expectedLen);
    assertThat(Arrays.copyOf(cached, len)).as("packet %d", seq).isEqualTo(Arrays.copyOf(expected, expectedLen));
  }

  @Test
  void aLayoutServesOnlySourceBlocksOfTheSameStructure() {
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    int one = HeaderExtensions.ONE_BYTE_PROFILE;
    // audio level (1), transport-wide seq (3), DD (12) of 3 bytes: 2 + 3 + 4 = 9 bytes, 3 of padding
    RtpPacket first = raw(one, bytes(0x10, 0x85, 0x31, 0x12, 0x34, 0xc2, 1, 2, 3));
    assertSameAsFresh(m, first, 1);
    RtpPacket sameStructure = raw(one, bytes(0x10, 0x7f, 0x31, 0x56, 0x78, 0xc2, 4, 5, 6));
    byte[] dst = new byte[2048];
    int len = m.write(sameStructure, dst, 64, 100, 2, 1L, 0x2222, 0x0102, 0x030405);
    RtpPacket out = new RtpPacket().wrap(dst, 0, len);
    assertThat(value(out, 5)).as("this packet's audio level, not the layout's").containsExactly(0x7f);
    assertThat(value(out, 14)).containsExactly(4, 5, 6);
    assertThat(value(out, 7)).containsExactly(1, 2);
    assertThat(text(out, 9)).isEqualTo("12");
    assertSameAsFresh(m, sameStructure, 2);
    // Same block length, the DD one byte longer (one padding byte less).
    assertSameAsFresh(m, raw(one, bytes(0x10, 0x85, 0x31, 0x12, 0x34, 0xc3, 1, 2, 3, 4)), 3);
    // Same length and elements, the audio level after a padding byte instead of first.
    assertSameAsFresh(m, raw(one, bytes(0x00, 0x10, 0x85, 0x31, 0x12, 0x34, 0xc2, 1, 2, 3)), 4);
    // Padding with stray length bits where there was an element's value.
    assertSameAsFresh(m, raw(one, bytes(0x0f, 0x10, 0x85, 0x31, 0x12, 0x34, 0xc2, 1, 2, 3)), 5);
    // The DD dropped: its header byte becomes padding, its value bytes stay.
    assertSameAsFresh(m, raw(one, bytes(0x10, 0x85, 0x31, 0x12, 0x34, 0x00, 1, 2, 3)), 6);
    // Id 15 ends the block: what follows is not read, whatever it is.
    assertSameAsFresh(m, raw(one, bytes(0x10, 0x85, 0xf0, 0xc2, 1, 2, 3)), 7);
    assertSameAsFresh(m, raw(one, bytes(0x10, 0x85, 0xf0, 0x31, 9, 9, 9)), 8);
    // No block, a block of another profile, a two-byte block, an empty block.
    assertSameAsFresh(m, raw(0, null), 9);
    assertSameAsFresh(m, raw(0x1234, bytes(0x10, 0x85, 0x31, 0x12)), 10);
    assertSameAsFresh(m, raw(HeaderExtensions.TWO_BYTE_PROFILE, bytes(1, 1, 0x85, 12, 20, 1, 2, 3, 4, 5, 6, 7, 8,
        9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)), 11);
    assertSameAsFresh(m, raw(HeaderExtensions.TWO_BYTE_PROFILE + 3, bytes(1, 1, 0x85, 12, 0)), 12);
    assertSameAsFresh(m, raw(one, new byte[0]), 13);
    assertSameAsFresh(m, first, 14);
  }

  @Test
  void aMalformedBlockLeavesNoLayoutBehind() {
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    int one = HeaderExtensions.ONE_BYTE_PROFILE;
    RtpPacket good = raw(one, bytes(0x10, 0x85, 0x31, 0x12, 0x34));
    assertSameAsFresh(m, good, 1);
    // Same length, the audio level's header claims 16 bytes: it runs past the block.
    RtpPacket bad = raw(one, bytes(0x1f, 0x85, 0x31, 0x12, 0x34));
    assertThatThrownBy(() -> m.write(bad, new byte[2048], 64, 100, 2, 1L, 1, 1, 1))
        .isInstanceOf(RtpFormatException.class);
    assertThatThrownBy(() -> m.write(bad, new byte[2048], 64, 100, 2, 1L, 1, 1, 1))
        .isInstanceOf(RtpFormatException.class);
    assertSameAsFresh(m, good, 3);
  }

  @Test
  void aNewNegotiationDropsTheLayout() {
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    RtpPacket in = packet(chromiumPacket());
    byte[] dst = new byte[2048];
    m.write(in, dst, 64, 100, 1, 1L, 1, 1, 1);
    m.negotiated(publisher(), subscriber(false), "3");
    int len = m.write(in, dst, 64, 100, 1, 1L, 1, 1, 1);
    RtpPacket out = new RtpPacket().wrap(dst, 0, len);
    assertThat(text(out, 9)).isEqualTo("3");
    assertThat(out.extensionOffset(7)).as("no transport-wide sequence number any more").isNegative();
  }

  @Test
  void randomBlocksComeOutAsANewMungerWritesThem() {
    Random random = new Random(8285);
    Munger m = new Munger();
    m.negotiated(publisher(), subscriber(true), "12");
    int[] ids = {1, 2, 3, 4, 10, 12, 13};
    for (int seq = 0; seq < 5000; seq++) {
      boolean twoByte = random.nextInt(8) == 0;
      java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
      // Few shapes, so that most packets repeat an earlier structure with new values.
      int shape = random.nextInt(6);
      Random structure = new Random(shape * 31 + (twoByte ? 1 : 0));
      int elements = structure.nextInt(5);
      for (int e = 0; e < elements; e++) {
        if (structure.nextInt(4) == 0) {
          data.write(0); // padding between elements
        }
        int id = ids[structure.nextInt(ids.length)];
        int n = twoByte ? structure.nextInt(24) : 1 + structure.nextInt(16);
        if (twoByte) {
          data.write(id);
          data.write(n);
        } else {
          data.write(id << 4 | (n - 1));
        }
        for (int i = 0; i < n; i++) {
          data.write(random.nextInt(256));
        }
      }
      if (!twoByte && structure.nextInt(8) == 0) {
        data.write(0xf0 | random.nextInt(16)); // ends the block
        data.write(random.nextInt(256));
      }
      int profile = twoByte ? HeaderExtensions.TWO_BYTE_PROFILE : HeaderExtensions.ONE_BYTE_PROFILE;
      assertSameAsFresh(m, raw(profile, data.toByteArray()), seq);
    }
  }
}
