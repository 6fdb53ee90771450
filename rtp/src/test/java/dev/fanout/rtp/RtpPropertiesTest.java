package dev.fanout.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.codec.Av1DependencyDescriptor;
import dev.fanout.rtp.codec.H264Payload;
import dev.fanout.rtp.codec.Vp8Descriptor;
import dev.fanout.rtp.codec.Vp9Descriptor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** RTP write→parse identity, and arbitrary bytes never fail any other way than typed. */
class RtpPropertiesTest {

  record Spec(
      boolean marker, int pt, int seq, long ts, int ssrc, int[] csrcs, Map<Integer, byte[]> ext,
      byte[] payload, int padding) {}

  @Provide
  Arbitrary<Spec> packets() {
    Arbitrary<Map<Integer, byte[]>> ext = Arbitraries.maps(
            Arbitraries.integers().between(1, 255),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(20))
        .ofMaxSize(6)
        .map(LinkedHashMap::new);
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 127),
            Arbitraries.integers().between(0, 0xffff),
            Arbitraries.longs().between(0, 0xffffffffL),
            Arbitraries.integers(),
            Arbitraries.integers().array(int[].class).ofMaxSize(15),
            ext,
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
        .flatAs((m, pt, seq, ts, ssrc, csrcs, e, payload) -> Arbitraries.integers().between(0, 255)
            .map(pad -> new Spec(m, pt, seq, ts, ssrc, csrcs, e, payload, pad)));
  }

  @Property
  void writtenPacketsParseBackToTheirFields(@ForAll("packets") Spec s) {
    RtpWriter w = new RtpWriter().marker(s.marker()).payloadType(s.pt()).sequenceNumber(s.seq())
        .timestamp(s.ts()).ssrc(s.ssrc()).csrcs(s.csrcs()).payload(s.payload()).padding(s.padding());
    s.ext().forEach(w::extension);
    byte[] b = new byte[w.size() + 3];
    int n = w.write(b, 3);
    RtpPacket p = new RtpPacket().wrap(b, 3, n);
    assertThat(p.marker()).isEqualTo(s.marker());
    assertThat(p.payloadType()).isEqualTo(s.pt());
    assertThat(p.sequenceNumber()).isEqualTo(s.seq());
    assertThat(p.timestamp()).isEqualTo(s.ts());
    assertThat(p.ssrc()).isEqualTo(s.ssrc());
    assertThat(p.csrcCount()).isEqualTo(s.csrcs().length);
    for (int i = 0; i < s.csrcs().length; i++) {
      assertThat(p.csrc(i)).isEqualTo(s.csrcs()[i]);
    }
    s.ext().forEach((id, v) -> {
      int off = p.extensionOffset(id);
      assertThat(off).isNotNegative();
      assertThat(Arrays.copyOfRange(b, off, off + p.extensionLength(id))).isEqualTo(v);
    });
    assertThat(Arrays.copyOfRange(b, p.payloadOffset(), p.payloadOffset() + p.payloadLength()))
        .isEqualTo(s.payload());
    assertThat(p.paddingLength()).isEqualTo(s.padding());
  }

  @Property
  void addingThenRemovingAnElementKeepsEverythingElse(
      @ForAll("packets") Spec s,
      @ForAll @IntRange(min = 1, max = 255) int id,
      @ForAll @Size(max = 40) byte[] value) {
    RtpWriter w = new RtpWriter().payloadType(s.pt()).ssrc(s.ssrc()).csrcs(s.csrcs())
        .payload(s.payload()).padding(s.padding());
    s.ext().forEach(w::extension);
    byte[] b = w.toByteArray();
    RtpPacket p = new RtpPacket().wrap(b);

    byte[] with = new byte[p.sizeWithExtension(id, value.length)];
    int n = p.writeWithExtension(id, value, with, 0);
    RtpPacket q = new RtpPacket().wrap(with, 0, n);
    int off = q.extensionOffset(id);
    assertThat(Arrays.copyOfRange(with, off, off + q.extensionLength(id))).isEqualTo(value);

    byte[] without = new byte[n];
    int m = q.writeWithoutExtension(id, without, 0);
    RtpPacket r = new RtpPacket().wrap(without, 0, m);
    assertThat(r.extensionOffset(id)).isEqualTo(-1);
    s.ext().forEach((other, v) -> {
      if (other != id) {
        int o = r.extensionOffset(other);
        assertThat(Arrays.copyOfRange(without, o, o + r.extensionLength(other))).isEqualTo(v);
      }
    });
    assertThat(Arrays.copyOfRange(without, r.payloadOffset(), m))
        .isEqualTo(Arrays.copyOfRange(b, p.payloadOffset(), b.length));
    assertThat(r.ssrc()).isEqualTo(s.ssrc());
  }

  @Property(tries = 3000)
  void arbitraryBytesAreParsedOrRejectedWithTheTypedFailure(@ForAll @Size(max = 200) byte[] bytes) {
    try {
      RtpPacket p = new RtpPacket().wrap(bytes);
      HeaderExtensions it = p.extensions();
      while (it.next()) {
        assertThat(it.valueOffset() + it.valueLength()).isLessThanOrEqualTo(p.payloadOffset());
      }
      assertThat(p.payloadOffset() + p.payloadLength() + p.paddingLength()).isEqualTo(bytes.length);
      if (HeaderExtensions.isRfc8285(p.extensionProfile()) || !p.hasExtension()) {
        byte[] dst = new byte[p.sizeWithExtension(3, 2)];
        p.writeWithExtension(3, new byte[] {1, 2}, dst, 0);
        new RtpPacket().wrap(dst);
      }
    } catch (RtpFormatException expected) {
      // the only way to fail
    }
  }

  @Property(tries = 3000)
  void arbitraryPayloadsNeverBreakTheDescriptorParsers(@ForAll @Size(max = 64) byte[] bytes) {
    // forcing the version bits makes more inputs reach the deeper checks
    for (Runnable parse : new Runnable[] {
        () -> new Vp8Descriptor().parse(bytes, 0, bytes.length),
        () -> new Vp9Descriptor().parse(bytes, 0, bytes.length),
        () -> new H264Payload().parse(bytes, 0, bytes.length),
        () -> new Av1DependencyDescriptor().parse(bytes, 0, bytes.length)}) {
      try {
        parse.run();
      } catch (RtpFormatException expected) {
        // the only way to fail
      }
    }
  }
}
