package dev.fanout.rtp.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.rtp.Hex;
import dev.fanout.rtp.RtpFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every RTCP type as bytes commented field by field: parse, check each field, write, compare the
 * bytes.
 */
class RtcpPacketsTest {

  static final byte[] SR = Hex.bytes(""
      + "81 c8 000c" //   V=2 P=0 RC=1, PT=200 SR, length 12 (52 bytes)
      + "11223344" //     SSRC of sender
      + "e12b3c4d" //     NTP timestamp, most significant word
      + "5e6f7081" //     NTP timestamp, least significant word
      + "0001e240" //     RTP timestamp 123456
      + "00000064" //     sender's packet count 100
      + "000186a0" //     sender's octet count 100000
      + "55667788" //     report block: SSRC_1
      + "19 fffffe" //    fraction lost 25/256, cumulative lost -2
      + "00010005" //     extended highest sequence number: 1 cycle, seq 5
      + "0000012c" //     interarrival jitter 300
      + "3c4d5e6f" //     LSR
      + "00008000"); //   DLSR 0.5 s

  static final byte[] RR = Hex.bytes(""
      + "81 c9 0007" //   V=2 P=0 RC=1, PT=201 RR, length 7 (32 bytes)
      + "11223344" //     SSRC of packet sender
      + "55667788" //     report block: SSRC_1
      + "00 000000" //    fraction lost 0, cumulative lost 0
      + "0000ffff" //     extended highest sequence number 65535
      + "00000000" //     jitter 0
      + "00000000" //     LSR: no SR received yet
      + "00000000"); //   DLSR

  static final byte[] SDES = Hex.bytes(""
      + "82 ca 0007" //   V=2 P=0 SC=2, PT=202 SDES, length 7 (32 bytes)
      + "11223344" //     chunk 1: SSRC
      + "01 05 616c696365" // CNAME, 5 bytes, "alice"
      + "00" //           end of items, already on a 32-bit boundary
      + "55667788" //     chunk 2: SSRC
      + "01 03 626f62" // CNAME, 3 bytes, "bob"
      + "02 01 42" //     NAME, 1 byte, "B"
      + "00 000000"); //  end of items and padding to 32 bits

  static final byte[] BYE = Hex.bytes(""
      + "82 cb 0004" //   V=2 P=0 SC=2, PT=203 BYE, length 4 (20 bytes)
      + "11223344" //     SSRC
      + "55667788" //     SSRC
      + "04 676f6e65" //  reason: 4 bytes, "gone"
      + "000000"); //     padding to 32 bits

  static final byte[] APP = Hex.bytes(""
      + "85 cc 0003" //   V=2 P=0 subtype=5, PT=204 APP, length 3 (16 bytes)
      + "11223344" //     SSRC
      + "464e5431" //     name "FNT1"
      + "deadbeef"); //   application data

  static final byte[] NACK = Hex.bytes(""
      + "81 cd 0004" //   V=2 P=0 FMT=1, PT=205 RTPFB, length 4 (20 bytes)
      + "11223344" //     SSRC of packet sender
      + "55667788" //     SSRC of media source
      + "0064 0005" //    PID 100, BLP bits 0 and 2: 100, 101, 103
      + "ffff 8000"); //  PID 65535, BLP bit 15: 65535, 15 (wrapped)

  static final byte[] TWCC = Hex.bytes(""
      + "8f cd 000a" //   V=2 P=0 FMT=15, PT=205 RTPFB, length 10 (44 bytes)
      + "11223344" //     SSRC of packet sender
      + "55667788" //     SSRC of media source
      + "03e8 001b" //    base sequence 1000, packet status count 27
      + "fffffe 07" //    reference time -2 (× 64 ms), feedback packet count 7
      + "d855" //         status vector, 2-bit: small large none small small small small
      + "acff" //         status vector, 1-bit: 1 0 1 1 0 0 1 1 1 1 1 1 1 1
      + "0006" //         run length: "not received" × 6
      + "04 fff8 01 fa 00 03" // deltas: 4, -8 (large), 1, 250, 0, 3 (× 250 µs)
      + "0a 0b 0c 0d 0e 0f 10 11 12 13 14"); // 10, 11, 12 .. 20

  static final byte[] PLI = Hex.bytes(""
      + "81 ce 0002" //   V=2 P=0 FMT=1, PT=206 PSFB, length 2 (12 bytes)
      + "11223344" //     SSRC of packet sender
      + "55667788"); //   SSRC of media source

  static final byte[] FIR = Hex.bytes(""
      + "84 ce 0004" //   V=2 P=0 FMT=4, PT=206 PSFB, length 4 (20 bytes)
      + "11223344" //     SSRC of packet sender
      + "00000000" //     SSRC of media source: unused
      + "55667788" //     FCI: SSRC
      + "2a 000000"); //  command sequence number 42, reserved

  static final byte[] REMB = Hex.bytes(""
      + "8f ce 0006" //   V=2 P=0 FMT=15, PT=206 PSFB, length 6 (28 bytes)
      + "11223344" //     SSRC of packet sender
      + "00000000" //     SSRC of media source: 0
      + "52454d42" //     "REMB"
      + "02" //           number of SSRCs
      + "0b d090" //      exponent 2, mantissa 0x3d090 = 250000: 1 000 000 bit/s
      + "55667788" //     SSRC feedback
      + "99aabbcc");

  @Test
  void senderReport() {
    SenderReport sr = (SenderReport) single(SR);
    assertThat(sr.ssrc()).isEqualTo(0x11223344);
    assertThat(sr.ntpTimestamp()).isEqualTo(0xe12b3c4d5e6f7081L);
    assertThat(sr.compactNtp()).isEqualTo(0x3c4d5e6fL);
    assertThat(sr.rtpTimestamp()).isEqualTo(123456);
    assertThat(sr.packetCount()).isEqualTo(100);
    assertThat(sr.octetCount()).isEqualTo(100000);
    assertThat(sr.reports()).containsExactly(
        new ReportBlock(0x55667788, 25, -2, 65541, 300, 0x3c4d5e6fL, 0x8000));
    assertThat(Hex.of(sr.toByteArray())).isEqualTo(Hex.of(SR));
  }

  @Test
  void receiverReport() {
    ReceiverReport rr = (ReceiverReport) single(RR);
    assertThat(rr.ssrc()).isEqualTo(0x11223344);
    assertThat(rr.reports()).containsExactly(new ReportBlock(0x55667788, 0, 0, 65535, 0, 0, 0));
    assertThat(Hex.of(rr.toByteArray())).isEqualTo(Hex.of(RR));
  }

  @Test
  void sourceDescription() {
    SourceDescription sdes = (SourceDescription) single(SDES);
    assertThat(sdes.chunks()).containsExactly(
        new SourceDescription.Chunk(0x11223344, List.of(new SourceDescription.Item(SourceDescription.CNAME, "alice"))),
        new SourceDescription.Chunk(0x55667788, List.of(
            new SourceDescription.Item(SourceDescription.CNAME, "bob"),
            new SourceDescription.Item(SourceDescription.NAME, "B"))));
    assertThat(Hex.of(sdes.toByteArray())).isEqualTo(Hex.of(SDES));
    assertThat(SourceDescription.cname(0x11223344, "alice").toByteArray()).hasSize(16);
  }

  @Test
  void bye() {
    Bye bye = (Bye) single(BYE);
    assertThat(bye.ssrcs()).containsExactly(0x11223344, 0x55667788);
    assertThat(bye.reason()).isEqualTo("gone");
    assertThat(Hex.of(bye.toByteArray())).isEqualTo(Hex.of(BYE));
    assertThat(Hex.of(new Bye(List.of(1), null).toByteArray())).isEqualTo("81cb000100000001");
  }

  @Test
  void app() {
    App app = (App) single(APP);
    assertThat(app.subtype()).isEqualTo(5);
    assertThat(app.ssrc()).isEqualTo(0x11223344);
    assertThat(app.name()).isEqualTo("FNT1");
    assertThat(app.data()).isEqualTo(Hex.bytes("deadbeef"));
    assertThat(Hex.of(app.toByteArray())).isEqualTo(Hex.of(APP));
  }

  @Test
  void genericNack() {
    GenericNack nack = (GenericNack) single(NACK);
    assertThat(nack.senderSsrc()).isEqualTo(0x11223344);
    assertThat(nack.mediaSsrc()).isEqualTo(0x55667788);
    assertThat(nack.lost()).containsExactly(100, 101, 103, 65535, 15);
    assertThat(Hex.of(nack.toByteArray())).isEqualTo(Hex.of(NACK));
  }

  @Test
  void transportWideCongestionControlFeedback() {
    TransportCc cc = (TransportCc) single(TWCC);
    assertThat(cc.senderSsrc()).isEqualTo(0x11223344);
    assertThat(cc.mediaSsrc()).isEqualTo(0x55667788);
    assertThat(cc.baseSequence()).isEqualTo(1000);
    assertThat(cc.statusCount()).isEqualTo(27);
    assertThat(cc.referenceTime()).isEqualTo(-2);
    assertThat(cc.feedbackCount()).isEqualTo(7);
    assertThat(cc.symbols()).containsExactly(
        1, 2, 0, 1, 1, 1, 1, //
        1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, //
        0, 0, 0, 0, 0, 0);
    assertThat(cc.deltas()).containsExactly(4, -8, 1, 250, 0, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
    assertThat(Hex.of(cc.toByteArray())).isEqualTo(Hex.of(TWCC));
  }

  @Test
  void transportCcIsPaddedTo32BitsWithThePaddingBit() {
    byte[] padded = Hex.bytes(""
        + "af cd 0005" //   V=2 P=1 FMT=15, PT=205, length 5 (24 bytes)
        + "00000001 00000002"
        + "0000 0001" //    base sequence 0, one packet
        + "000000 00" //    reference time 0, feedback count 0
        + "2001" //         run length: small delta × 1
        + "05" //           delta 5
        + "01"); //         one byte of padding, counting itself
    TransportCc cc = (TransportCc) single(padded);
    assertThat(cc.symbols()).containsExactly(1);
    assertThat(cc.deltas()).containsExactly(5);
    assertThat(Hex.of(cc.toByteArray())).isEqualTo(Hex.of(padded));
  }

  @Test
  void pictureLossIndication() {
    PictureLossIndication pli = (PictureLossIndication) single(PLI);
    assertThat(pli).isEqualTo(new PictureLossIndication(0x11223344, 0x55667788));
    assertThat(Hex.of(pli.toByteArray())).isEqualTo(Hex.of(PLI));
  }

  @Test
  void fullIntraRequest() {
    FullIntraRequest fir = (FullIntraRequest) single(FIR);
    assertThat(fir).isEqualTo(FullIntraRequest.of(0x11223344, 0x55667788, 42));
    assertThat(Hex.of(fir.toByteArray())).isEqualTo(Hex.of(FIR));
  }

  @Test
  void receiverEstimatedMaximumBitrate() {
    Remb remb = (Remb) single(REMB);
    assertThat(remb.senderSsrc()).isEqualTo(0x11223344);
    assertThat(remb.exponent()).isEqualTo(2);
    assertThat(remb.mantissa()).isEqualTo(250000);
    assertThat(remb.bitrate()).isEqualTo(1_000_000);
    assertThat(remb.ssrcs()).containsExactly(0x55667788, 0x99aabbcc);
    assertThat(remb).isEqualTo(Remb.of(0x11223344, 1_000_000, List.of(0x55667788, 0x99aabbcc)));
    assertThat(Hex.of(remb.toByteArray())).isEqualTo(Hex.of(REMB));
    assertThat(new Remb(1, 63, 0x3ffff, List.of()).bitrate()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void compoundPacketsParseInOrderAndSkipUnknownTypes() {
    byte[] xr = Hex.bytes("80cf0002 11223344 00000000"); // XR (PT 207): not understood, skipped
    byte[] afb = Hex.bytes("8fce0003 11223344 00000000 41424344"); // AFB that is not REMB
    byte[] fmt = Hex.bytes("83cd0002 11223344 55667788"); // RTPFB FMT 3 (TMMBR): skipped
    byte[] compound = concat(SR, SDES, xr, afb, fmt, NACK, TWCC, PLI, FIR, REMB, BYE, APP, RR);
    List<RtcpPacket> packets = RtcpCompound.parse(compound);
    assertThat(packets).extracting(p -> p.getClass().getSimpleName()).containsExactly(
        "SenderReport", "SourceDescription", "GenericNack", "TransportCc", "PictureLossIndication",
        "FullIntraRequest", "Remb", "Bye", "App", "ReceiverReport");
    assertThat(Hex.of(RtcpCompound.toByteArray(packets)))
        .isEqualTo(Hex.of(concat(SR, SDES, NACK, TWCC, PLI, FIR, REMB, BYE, APP, RR)));
    assertThat(RtcpCompound.startsWithReport(compound, 0, compound.length)).isTrue();
  }

  /** RFC 5506: a lone feedback packet is a valid (reduced-size) RTCP datagram. */
  @Test
  void reducedSizeRtcpIsAccepted() {
    assertThat(RtcpCompound.startsWithReport(PLI, 0, PLI.length)).isFalse();
    assertThat(RtcpCompound.parse(PLI)).hasSize(1);
    RtcpIterator it = new RtcpIterator().reset(NACK, 0, NACK.length);
    assertThat(it.next()).isTrue();
    assertThat(it.packetType()).isEqualTo(Rtcp.RTPFB);
    assertThat(it.count()).isEqualTo(Rtcp.FMT_NACK);
    assertThat(it.senderSsrc()).isEqualTo(0x11223344);
    assertThat(it.next()).isFalse();
  }

  /** RFC 5761 §4: on a shared port, a second byte of 192..223 is RTCP. */
  @Test
  void rtpRtcpDemultiplexing() {
    assertThat(Rtcp.isRtcp(SR, 0, SR.length)).isTrue();
    assertThat(Rtcp.isRtcp(REMB, 0, REMB.length)).isTrue();
    assertThat(Rtcp.isRtcp(Hex.bytes("80e0"), 0, 2)).as("RTP PT 96 with marker").isFalse();
    assertThat(Rtcp.isRtcp(Hex.bytes("8060"), 0, 2)).as("RTP PT 96").isFalse();
    assertThat(Rtcp.isRtcp(Hex.bytes("80"), 0, 1)).isFalse();
    assertThat(Rtcp.isRtcp(Hex.bytes("80df"), 0, 2)).isTrue();
    assertThat(Rtcp.isRtcp(Hex.bytes("80bf"), 0, 2)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "truncated header, 81c8",
    "version 1, 41c90001 11223344",
    "length past the datagram, 80c90002 11223344",
    "padding count zero, a0c90001 11223300",
    "padding count past the packet, a0c90001 112233ff",
    "SR shorter than its sender info, 80c80001 11223344",
    "RR with more blocks than bytes, 82c90001 11223344",
    "SDES chunk without terminator, 81ca0002 11223344 01026162",
    "SDES item past the packet, 81ca0002 11223344 01096162",
    "BYE with more SSRCs than bytes, 83cb0001 11223344",
    "BYE reason past the packet, 81cb0002 11223344 09616263",
    "APP without a name, 80cc0001 11223344",
    "NACK without media SSRC, 81cd0001 11223344",
    "TWCC without chunks, 8fcd0004 11223344 55667788 00000005 00000000",
    "TWCC reserved run symbol, 8fcd0005 11223344 55667788 00000001 00000000 60010000",
    "TWCC reserved vector symbol, 8fcd0005 11223344 55667788 00000001 00000000 f0000000",
    "TWCC deltas missing, 8fcd0005 11223344 55667788 00000003 00000000 20030000",
    "PLI without media SSRC, 81ce0001 11223344",
    "FIR without media SSRC, 84ce0001 11223344",
    "REMB with more SSRCs than bytes, 8fce0004 11223344 00000000 52454d42 05000000",
  })
  void malformedPacketsAreTypedFailures(String why, String hex) {
    byte[] b = Hex.bytes(hex);
    assertThatThrownBy(() -> RtcpCompound.parse(b)).isInstanceOf(RtpFormatException.class);
  }

  /** Found by fuzzing: invalid UTF-8 decodes to U+FFFD, three bytes each when written back. */
  @Test
  void textThatIsNotUtf8AndCannotBeWrittenBackIsATypedFailure() {
    byte[] bye = new byte[4 + 4 + 104];
    System.arraycopy(Hex.bytes("81cb001b 11223344 64"), 0, bye, 0, 9); // SC=1, reason of 100 bytes
    java.util.Arrays.fill(bye, 9, 109, (byte) 0xff);
    assertThatThrownBy(() -> RtcpCompound.parse(bye)).isInstanceOf(RtpFormatException.class);

    byte[] sdes = new byte[4 + 4 + 104];
    System.arraycopy(Hex.bytes("81ca001b 11223344 0164"), 0, sdes, 0, 10); // CNAME of 100 bytes
    java.util.Arrays.fill(sdes, 10, 110, (byte) 0xff);
    assertThatThrownBy(() -> RtcpCompound.parse(sdes)).isInstanceOf(RtpFormatException.class);

    // a short invalid sequence still fits once replaced, and then writes back canonically
    Bye lenient = (Bye) single(Hex.bytes("81cb0002 11223344 01ff0000"));
    assertThat(lenient.reason()).isEqualTo("\ufffd");
    assertThat(RtcpCompound.parse(lenient.toByteArray())).containsExactly(lenient);
  }

  private static RtcpPacket single(byte[] bytes) {
    List<RtcpPacket> packets = RtcpCompound.parse(bytes);
    assertThat(packets).hasSize(1);
    return packets.get(0);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
