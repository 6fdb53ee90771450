package dev.fanout.rtp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.rtp.Hex;
import dev.fanout.rtp.RtpFormatException;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadDescriptorsTest {

  /** RFC 7741 §4.2: all optional fields, 15-bit picture id, start of a key frame. */
  @Test
  void vp8KeyFrameWithEveryField() {
    byte[] b = Hex.bytes(""
        + "90" //     X=1 R=0 N=0 S=1 R=0 PID=0
        + "f0" //     I=1 L=1 T=1 K=1
        + "9234" //   M=1, picture id 0x1234
        + "07" //     TL0PICIDX 7
        + "a5" //     TID=2 Y=1 KEYIDX=5
        + "10 02 00"); // VP8 payload header: P=0 (key frame)
    Vp8Descriptor d = new Vp8Descriptor().parse(b, 0, b.length);
    assertThat(d.length()).isEqualTo(6);
    assertThat(d.isStartOfFrame()).isTrue();
    assertThat(d.isKeyFrame()).isTrue();
    assertThat(d.isNonReference()).isFalse();
    assertThat(d.pictureId()).isEqualTo(0x1234);
    assertThat(d.pictureIdBits()).isEqualTo(15);
    assertThat(d.tl0PicIdx()).isEqualTo(7);
    assertThat(d.temporalLayer()).isEqualTo(2);
    assertThat(d.isLayerSync()).isTrue();
    assertThat(d.keyIndex()).isEqualTo(5);

    d.setPictureId(0x7fff + 2); // wraps in 15 bits
    d.setTl0PicIdx(300);
    Vp8Descriptor again = new Vp8Descriptor().parse(b, 0, b.length);
    assertThat(again.pictureId()).isEqualTo(1);
    assertThat(again.tl0PicIdx()).isEqualTo(44);
    assertThat(Hex.of(b, 6, 3)).isEqualTo("100200");
  }

  @Test
  void vp8InterFrameContinuationAndMinimalDescriptor() {
    byte[] inter = Hex.bytes("90 80 05 11"); // S=1 PID=0, I=1, 7-bit picture id 5, P=1
    Vp8Descriptor d = new Vp8Descriptor().parse(inter, 0, inter.length);
    assertThat(d.isKeyFrame()).isFalse();
    assertThat(d.pictureId()).isEqualTo(5);
    assertThat(d.pictureIdBits()).isEqualTo(7);
    assertThat(d.tl0PicIdx()).isEqualTo(-1);
    assertThat(d.temporalLayer()).isEqualTo(-1);

    byte[] minimal = Hex.bytes("20 aa"); // N=1, not a start of partition
    Vp8Descriptor m = new Vp8Descriptor().parse(minimal, 0, minimal.length);
    assertThat(m.length()).isEqualTo(1);
    assertThat(m.isNonReference()).isTrue();
    assertThat(m.isStartOfFrame()).isFalse();
    assertThat(m.pictureId()).isEqualTo(-1);
    assertThatThrownBy(() -> m.setPictureId(1)).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "80", "90 80", "90 80 92", "90 40", "90 20", "90 80 05"})
  void vp8TruncatedDescriptorsAreTypedFailures(String hex) {
    byte[] b = Hex.bytes(hex);
    assertThatThrownBy(() -> new Vp8Descriptor().parse(b, 0, b.length)).isInstanceOf(RtpFormatException.class);
  }

  /** RFC 9628 §4.2, non-flexible mode with a scalability structure: a key frame of 2 spatial layers. */
  @Test
  void vp9NonFlexibleKeyFrameWithScalabilityStructure() {
    byte[] b = Hex.bytes(""
        + "aa" //     I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
        + "8101" //   M=1, picture id 0x0101
        + "00" //     TID=0 U=0 SID=0 D=0
        + "09" //     TL0PICIDX 9
        + "38" //     SS: N_S=1 (2 layers) Y=1 G=1
        + "0140 00b4" // layer 0: 320 × 180
        + "0280 0168" // layer 1: 640 × 360
        + "01" //     N_G=1
        + "04 01" //  TID=0 U=0 R=1, P_DIFF 1
        + "ff"); //   VP9 payload
    Vp9Descriptor d = new Vp9Descriptor().parse(b, 0, b.length);
    assertThat(d.length()).isEqualTo(b.length - 1);
    assertThat(d.isFlexible()).isFalse();
    assertThat(d.isKeyFrame()).isTrue();
    assertThat(d.pictureId()).isEqualTo(0x101);
    assertThat(d.spatialLayer()).isZero();
    assertThat(d.temporalLayer()).isZero();
    assertThat(d.tl0PicIdx()).isEqualTo(9);
    assertThat(d.hasScalabilityStructure()).isTrue();
    assertThat(d.spatialLayers()).isEqualTo(2);
    assertThat(d.width(1)).isEqualTo(640);
    assertThat(d.height(0)).isEqualTo(180);
    assertThat(d.pictureGroupSize()).isEqualTo(1);
  }

  /** RFC 9628 §4.2, flexible mode: an inter frame of spatial layer 1 with two references. */
  @Test
  void vp9FlexibleInterFrame() {
    byte[] b = Hex.bytes(""
        + "f4" //     I=1 P=1 L=1 F=1 B=0 E=1 V=0 Z=0
        + "7f" //     7-bit picture id 127
        + "53" //     TID=2 U=1 SID=1 D=1
        + "03" //     P_DIFF 1, N=1
        + "04" //     P_DIFF 2, N=0
        + "00");
    Vp9Descriptor d = new Vp9Descriptor().parse(b, 0, b.length);
    assertThat(d.isFlexible()).isTrue();
    assertThat(d.isKeyFrame()).isFalse();
    assertThat(d.isEndOfFrame()).isTrue();
    assertThat(d.pictureId()).isEqualTo(127);
    assertThat(d.temporalLayer()).isEqualTo(2);
    assertThat(d.isSwitchingUp()).isTrue();
    assertThat(d.spatialLayer()).isEqualTo(1);
    assertThat(d.hasInterLayerDependency()).isTrue();
    assertThat(d.tl0PicIdx()).isEqualTo(-1);
    assertThat(d.referenceCount()).isEqualTo(2);
    assertThat(d.referenceDiff(0)).isEqualTo(1);
    assertThat(d.referenceDiff(1)).isEqualTo(2);
    assertThat(d.length()).isEqualTo(5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "80", "80 80", "20", "20 00", "50 01 01 01 01", "02", "02 10 00", "02 08", "02 08 01 0c"})
  void vp9TruncatedDescriptorsAreTypedFailures(String hex) {
    byte[] b = Hex.bytes(hex);
    assertThatThrownBy(() -> new Vp9Descriptor().parse(b, 0, b.length)).isInstanceOf(RtpFormatException.class);
  }

  /** RFC 6184 §5.6–5.8: single NAL, STAP-A with SPS+PPS+IDR, FU-A start and continuation. */
  @Test
  void h264PacketizationModes() {
    H264Payload h = new H264Payload();
    byte[] single = Hex.bytes("65 88 84"); // NRI=3, type 5: IDR slice
    assertThat(h.parse(single, 0, single.length).isKeyFrame()).isTrue();
    assertThat(h.containsIdr()).isTrue();
    assertThat(h.nalType()).isEqualTo(H264Payload.NAL_IDR);

    byte[] stapA = Hex.bytes(""
        + "78" //         STAP-A (24), NRI=3
        + "0003 674200" // SPS, 3 bytes
        + "0002 68ce" //  PPS, 2 bytes
        + "0002 6588"); // IDR, 2 bytes
    h.parse(stapA, 0, stapA.length);
    assertThat(h.packetType()).isEqualTo(H264Payload.STAP_A);
    assertThat(h.nalCount()).isEqualTo(3);
    assertThat(h.nalType()).isEqualTo(H264Payload.NAL_SPS);
    assertThat(h.containsSps()).isTrue();
    assertThat(h.containsPps()).isTrue();
    assertThat(h.containsIdr()).isTrue();

    byte[] fuStart = Hex.bytes("7c 85 aa bb"); // FU-A (28), S=1 type 5
    h.parse(fuStart, 0, fuStart.length);
    assertThat(h.isStartOfNal()).isTrue();
    assertThat(h.isKeyFrame()).isTrue();
    byte[] fuMiddle = Hex.bytes("7c 05 cc"); // S=0 E=0
    h.parse(fuMiddle, 0, fuMiddle.length);
    assertThat(h.isStartOfNal()).isFalse();
    assertThat(h.isKeyFrame()).as("only the first fragment starts a frame").isFalse();
    byte[] fuEnd = Hex.bytes("7c 45 dd");
    assertThat(h.parse(fuEnd, 0, fuEnd.length).isEndOfNal()).isTrue();

    byte[] slice = Hex.bytes("41 9a");
    assertThat(h.parse(slice, 0, slice.length).isKeyFrame()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "e5", "78", "78 00", "78 0000 67", "78 0005 6742", "7c", "00", "19 00", "1e 00"})
  void h264MalformedPayloadsAreTypedFailures(String hex) {
    byte[] b = Hex.bytes(hex);
    assertThatThrownBy(() -> new H264Payload().parse(b, 0, b.length)).isInstanceOf(RtpFormatException.class);
  }

  /** AV1 RTP spec Appendix A: mandatory fields and a key frame's template structure header. */
  @Test
  void av1DependencyDescriptor() {
    byte[] value = Hex.bytes(""
        + "80" //    start_of_frame=1 end_of_frame=0 template id 0
        + "0001" //  frame number 1
        + "80" //    template_dependency_structure_present=1, other flags 0, offset bits 000
        + "22" //    offset bits 001 (offset 1), dt_cnt_minus_one 2
        + "00"); //  rest of the structure
    byte[] packet = new RtpWriter().payloadType(45).extension(12, value).payload(new byte[] {1}).toByteArray();
    RtpPacket p = new RtpPacket().wrap(packet);
    assertThat(Av1DependencyDescriptor.isPresent(p, 12)).isTrue();
    assertThat(Av1DependencyDescriptor.isPresent(p, 3)).isFalse();

    Av1DependencyDescriptor dd = new Av1DependencyDescriptor()
        .parse(packet, p.extensionOffset(12), p.extensionLength(12));
    assertThat(dd.isStartOfFrame()).isTrue();
    assertThat(dd.isEndOfFrame()).isFalse();
    assertThat(dd.templateId()).isZero();
    assertThat(dd.frameNumber()).isEqualTo(1);
    assertThat(dd.isTemplateStructurePresent()).isTrue();
    assertThat(dd.templateIdOffset()).isEqualTo(1);
    assertThat(dd.decodeTargetCount()).isEqualTo(3);
    assertThat(dd.isKeyFrame()).isTrue();

    byte[] delta = Hex.bytes("4b 0002"); // end of frame, template 11, frame 2: mandatory only
    dd.parse(delta, 0, delta.length);
    assertThat(dd.hasExtendedFields()).isFalse();
    assertThat(dd.templateId()).isEqualTo(11);
    assertThat(dd.isKeyFrame()).isFalse();
    assertThat(dd.decodeTargetCount()).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "80", "8000", "800001 80"})
  void av1TruncatedDescriptorsAreTypedFailures(String hex) {
    byte[] b = Hex.bytes(hex);
    assertThatThrownBy(() -> new Av1DependencyDescriptor().parse(b, 0, b.length))
        .isInstanceOf(RtpFormatException.class);
  }
}
