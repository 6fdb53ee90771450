package dev.fanout.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 8285 §4.2 and §4.3: the two element forms, with the RFC's figures as bytes. */
class Rfc8285ExtensionsTest {
  private static final String HEADER = "80600001 00000001 00000002";

  // §4.2 figure: 0xBEDE, length=3; ID L=0 data; ID L=1 data data; two padding bytes;
  // ID L=3 and four bytes of data. Ids 1, 2, 3 here.
  private static final byte[] ONE_BYTE = Hex.bytes(
      "90600001 00000001 00000002"
          + "bede 0003"
          + "10 aa | 21 bbbb | 00 00 | 33 cccccccc"
          + "f00d");

  // §4.3 figure: 0x100 with appbits, length=3; ID L=0; ID L=1 data; one padding byte;
  // ID L=4 and four bytes of data. appbits 0x5, ids 1, 2, 3 here.
  private static final byte[] TWO_BYTE = Hex.bytes(
      "90600001 00000001 00000002"
          + "1005 0003"
          + "01 00 | 02 01 bb | 00 | 03 04 cccccccc"
          + "f00d");

  @Test
  void oneByteFormElementsFromTheFigure() {
    RtpPacket p = new RtpPacket().wrap(ONE_BYTE);
    assertThat(p.extensionProfile()).isEqualTo(HeaderExtensions.ONE_BYTE_PROFILE);
    assertThat(value(p, 1)).isEqualTo("aa");
    assertThat(value(p, 2)).isEqualTo("bbbb");
    assertThat(value(p, 3)).isEqualTo("cccccccc");
    assertThat(p.extensionOffset(4)).isEqualTo(-1);
    assertThat(Hex.of(ONE_BYTE, p.payloadOffset(), p.payloadLength())).isEqualTo("f00d");
  }

  @Test
  void twoByteFormElementsFromTheFigure() {
    RtpPacket p = new RtpPacket().wrap(TWO_BYTE);
    assertThat(HeaderExtensions.isTwoByte(p.extensionProfile())).isTrue();
    assertThat(p.extensionLength(1)).isZero();
    assertThat(value(p, 1)).isEmpty();
    assertThat(value(p, 2)).isEqualTo("bb");
    assertThat(value(p, 3)).isEqualTo("cccccccc");
  }

  @Test
  void id15EndsAOneByteBlock() {
    RtpPacket p = new RtpPacket().wrap(Hex.bytes(HEADER.replace("80", "90") + "bede0002 10aa f0 21 bbbb 0000 00"));
    assertThat(value(p, 1)).isEqualTo("aa");
    assertThat(p.extensionOffset(2)).isEqualTo(-1);
  }

  @Test
  void aNonRfc8285ProfileHasNoElements() {
    RtpPacket p = new RtpPacket().wrap(Hex.bytes("90600001 00000001 00000002 abcd0001 10aa0000"));
    assertThat(p.extensionProfile()).isEqualTo(0xabcd);
    assertThat(p.extensionOffset(1)).isEqualTo(-1);
    assertThatThrownBy(() -> p.writeWithExtension(2, new byte[] {1}, new byte[100], 0))
        .isInstanceOf(RtpFormatException.class);
  }

  @Test
  void addingAnElementThatFitsKeepsTheOneByteForm() {
    RtpPacket p = new RtpPacket().wrap(ONE_BYTE);
    byte[] dst = new byte[p.sizeWithExtension(4, 2)];
    int n = p.writeWithExtension(4, Hex.bytes("dddd"), dst, 0);
    assertThat(n).isEqualTo(dst.length);
    assertThat(Hex.of(dst)).isEqualTo(
        "906000010000000100000002" + "bede0004" + "10aa" + "21bbbb" + "33cccccccc" + "41dddd" + "000000" + "f00d");
  }

  @Test
  void addingAnElementThatDoesNotFitConvertsToTheTwoByteForm() {
    RtpPacket p = new RtpPacket().wrap(ONE_BYTE);
    byte[] dst = new byte[p.sizeWithExtension(20, 1)];
    p.writeWithExtension(20, Hex.bytes("ee"), dst, 0);
    assertThat(Hex.of(dst)).isEqualTo(
        "906000010000000100000002" + "10000004" + "0101aa" + "0202bbbb" + "0304cccccccc" + "1401ee" + "f00d");
    RtpPacket q = new RtpPacket().wrap(dst);
    assertThat(value(q, 20)).isEqualTo("ee");
    assertThat(value(q, 3)).isEqualTo("cccccccc");
  }

  @Test
  void replacingAnElementOfAnotherSizeAndAddingToAPacketWithoutExtension() {
    RtpPacket p = new RtpPacket().wrap(TWO_BYTE);
    byte[] dst = new byte[100];
    int n = p.writeWithExtension(2, Hex.bytes("0102030405"), dst, 0);
    RtpPacket q = new RtpPacket().wrap(dst, 0, n);
    assertThat(q.extensionProfile()).as("appbits kept").isEqualTo(0x1005);
    assertThat(value(q, 2)).isEqualTo("0102030405");
    assertThat(value(q, 1)).isEmpty();

    byte[] plain = Hex.bytes(HEADER + "f00d");
    RtpPacket r = new RtpPacket().wrap(plain);
    int m = r.writeWithExtension(3, Hex.bytes("abcdef"), dst, 0);
    assertThat(Hex.of(dst, 0, m)).isEqualTo("906000010000000100000002" + "bede0001" + "32abcdef" + "f00d");
  }

  @Test
  void removingElementsAndTheLastOneDropsTheBlock() {
    RtpPacket p = new RtpPacket().wrap(ONE_BYTE);
    byte[] dst = new byte[100];
    int n = p.writeWithoutExtension(2, dst, 0);
    assertThat(Hex.of(dst, 0, n)).isEqualTo(
        "906000010000000100000002" + "bede0002" + "10aa" + "33cccccccc" + "00" + "f00d");

    byte[] single = Hex.bytes("90600001 00000001 00000002 bede0001 10aa0000 f00d");
    int m = new RtpPacket().wrap(single).writeWithoutExtension(1, dst, 0);
    assertThat(Hex.of(dst, 0, m)).isEqualTo("806000010000000100000002f00d");
  }

  @Test
  void paddingOfThePacketIsCarriedOver() {
    byte[] padded = Hex.bytes("b0600001 00000001 00000002 bede0001 10aa0000 f00d 000002");
    RtpPacket p = new RtpPacket().wrap(padded);
    byte[] dst = new byte[100];
    int n = p.writeWithExtension(2, Hex.bytes("bb"), dst, 0);
    RtpPacket q = new RtpPacket().wrap(dst, 0, n);
    assertThat(q.paddingLength()).isEqualTo(2);
    assertThat(Hex.of(dst, q.payloadOffset(), q.payloadLength())).isEqualTo("f00d00");
  }

  @Test
  void aTooSmallDestinationIsRefusedBeforeAnythingIsWritten() {
    RtpPacket p = new RtpPacket().wrap(ONE_BYTE);
    byte[] dst = new byte[10];
    assertThatThrownBy(() -> p.writeWithExtension(4, new byte[] {1}, dst, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dst).containsOnly(0);
  }

  private static String value(RtpPacket p, int id) {
    int off = p.extensionOffset(id);
    assertThat(off).as("element %d", id).isNotNegative();
    return Hex.of(Arrays.copyOfRange(p.buffer(), off, off + p.extensionLength(id)));
  }
}
