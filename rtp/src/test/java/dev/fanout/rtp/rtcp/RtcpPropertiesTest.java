package dev.fanout.rtp.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.RtpFormatException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** RTCP write→parse identity for every packet type, and typed failures on arbitrary bytes. */
class RtcpPropertiesTest {
  private static Arbitrary<Integer> u8() {
    return Arbitraries.integers().between(0, 255);
  }

  private static Arbitrary<Integer> u16() {
    return Arbitraries.integers().between(0, 0xffff);
  }

  private static Arbitrary<Long> u32() {
    return Arbitraries.longs().between(0, 0xffffffffL);
  }

  private static Arbitrary<Integer> ssrc() {
    return Arbitraries.integers();
  }

  private static Arbitrary<String> text() {
    return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00e0', '\u00ff').ofMaxLength(80);
  }

  private static Arbitrary<ReportBlock> reportBlock() {
    return Combinators.combine(ssrc(), u8(), Arbitraries.integers().between(-0x800000, 0x7fffff),
            u32(), u32(), u32(), u32())
        .as(ReportBlock::new);
  }

  @Provide
  Arbitrary<RtcpPacket> packets() {
    Arbitrary<RtcpPacket> sr = Combinators.combine(ssrc(), Arbitraries.longs(), u32(), u32(), u32(),
            reportBlock().list().ofMaxSize(31))
        .as(SenderReport::new);
    Arbitrary<RtcpPacket> rr = Combinators.combine(ssrc(), reportBlock().list().ofMaxSize(31))
        .as(ReceiverReport::new);
    Arbitrary<SourceDescription.Item> item =
        Combinators.combine(Arbitraries.integers().between(1, 255), text()).as(SourceDescription.Item::new);
    Arbitrary<SourceDescription.Chunk> chunk =
        Combinators.combine(ssrc(), item.list().ofMaxSize(4)).as(SourceDescription.Chunk::new);
    Arbitrary<RtcpPacket> sdes = chunk.list().ofMaxSize(5).map(SourceDescription::new);
    Arbitrary<RtcpPacket> bye = Combinators.combine(ssrc().list().ofMaxSize(31), text().injectNull(0.3))
        .as(Bye::new);
    Arbitrary<RtcpPacket> app = Combinators.combine(Arbitraries.integers().between(0, 31), ssrc(),
            Arbitraries.strings().withCharRange('A', 'Z').ofLength(4),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(b -> java.util.Arrays.copyOf(b, b.length & ~3)))
        .as(App::new);
    Arbitrary<RtcpPacket> nack = Combinators.combine(ssrc(), ssrc(), u16().list().ofMaxSize(40))
        .as(GenericNack::new);
    Arbitrary<RtcpPacket> twcc = Arbitraries.integers().between(0, 3).list().ofMaxSize(120)
        .flatMap(kinds -> {
          byte[] symbols = new byte[kinds.size()];
          int received = 0;
          for (int i = 0; i < symbols.length; i++) {
            symbols[i] = (byte) Math.min(kinds.get(i), 2); // bias towards small deltas
            if (symbols[i] != 0) {
              received++;
            }
          }
          int count = received;
          return Combinators.combine(ssrc(), ssrc(), u16(),
                  Arbitraries.integers().between(-0x800000, 0x7fffff), u8(),
                  Arbitraries.integers().between(-32768, 32767).array(int[].class).ofSize(count))
              .as((s, m, base, ref, fb, raw) -> {
                int k = 0;
                for (byte sym : symbols) {
                  if (sym == TransportCc.SMALL_DELTA) {
                    raw[k] = Math.floorMod(raw[k], 256);
                  }
                  if (sym != 0) {
                    k++;
                  }
                }
                return new TransportCc(s, m, base, ref, fb, symbols, raw);
              });
        });
    Arbitrary<RtcpPacket> pli = Combinators.combine(ssrc(), ssrc()).as(PictureLossIndication::new);
    Arbitrary<FullIntraRequest.Entry> entry = Combinators.combine(ssrc(), u8()).as(FullIntraRequest.Entry::new);
    Arbitrary<RtcpPacket> fir = Combinators.combine(ssrc(), ssrc(), entry.list().ofMaxSize(5))
        .as(FullIntraRequest::new);
    Arbitrary<RtcpPacket> remb = Combinators.combine(ssrc(), Arbitraries.integers().between(0, 63),
            Arbitraries.integers().between(0, 0x3ffff), ssrc().list().ofMaxSize(10))
        .as(Remb::new);
    return Arbitraries.oneOf(sr, rr, sdes, bye, app, nack, twcc, pli, fir, remb);
  }

  @Property(tries = 2000)
  void everyPacketTypeParsesBackToItself(@ForAll("packets") RtcpPacket packet) {
    byte[] bytes = packet.toByteArray();
    assertThat(bytes.length % 4).isZero();
    assertThat(RtcpCompound.parse(bytes)).containsExactly(packet);
  }

  @Provide
  Arbitrary<List<RtcpPacket>> compounds() {
    return packets().list().ofMaxSize(6);
  }

  @Property(tries = 500)
  void compoundPacketsParseBackToTheirParts(@ForAll("compounds") List<RtcpPacket> packets) {
    assertThat(RtcpCompound.parse(RtcpCompound.toByteArray(packets))).isEqualTo(packets);
  }

  @Property(tries = 5000)
  void arbitraryBytesAreParsedOrRejectedWithTheTypedFailure(@ForAll @Size(max = 200) byte[] bytes) {
    if (bytes.length > 0) {
      bytes[0] = (byte) (0x80 | (bytes[0] & 0x3f)); // version 2, so more inputs get deeper
    }
    if (bytes.length > 1) {
      bytes[1] = (byte) (200 + Math.floorMod(bytes[1], 8));
    }
    try {
      for (RtcpPacket p : RtcpCompound.parse(bytes)) {
        assertThat(RtcpCompound.parse(p.toByteArray())).containsExactly(p);
      }
    } catch (RtpFormatException expected) {
      // the only way to fail
    }
  }
}
