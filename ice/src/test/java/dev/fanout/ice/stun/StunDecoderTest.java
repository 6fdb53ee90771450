package dev.fanout.ice.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StunDecoderTest {
  static final byte[] TID = Rfc5769Test.TRANSACTION_ID;
  static final MessageIntegrity KEY = MessageIntegrity.shortTerm(Rfc5769Test.PASSWORD);

  /** A valid ICE check as Chrome sends it. */
  static byte[] check() {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_REQUEST, TID)
        .username("abcd:efgh")
        .attribute(0xC057, new byte[] {0, 1, 0, 10}) // GOOG-NETWORK-INFO: optional, ignored
        .iceControlling(42)
        .useCandidate()
        .priority(1853824767L)
        .messageIntegrity(KEY)
        .fingerprint()
        .length();
    return Arrays.copyOf(out, n);
  }

  @Test
  void decodesACheck() throws Exception {
    StunMessage m = StunDecoder.decode(check(), 0, check().length);

    assertThat(m.isBindingRequest()).isTrue();
    assertThat(m.recipientUfrag()).isEqualTo("abcd");
    assertThat(m.senderUfrag()).isEqualTo("efgh");
    assertThat(m.iceControlling()).isEqualTo(42L);
    assertThat(m.useCandidate()).isTrue();
    assertThat(m.priority()).isEqualTo(1853824767L);
    assertThat(m.hasUnknownRequiredAttributes()).isFalse();
    assertThat(KEY.verify(m)).isTrue();
  }

  @Test
  void decodesFromAByteBufWithoutMovingItsIndices() throws Exception {
    byte[] bytes = check();
    ByteBuf buf = Unpooled.buffer(bytes.length + 10).writeZero(10).writeBytes(bytes).skipBytes(10);
    try {
      StunMessage m = StunDecoder.decode(buf);

      assertThat(m.username()).isEqualTo("abcd:efgh");
      assertThat(buf.readerIndex()).isEqualTo(10);
      assertThat(StunDecoder.looksLikeStun(buf)).isTrue();
    } finally {
      buf.release();
    }
  }

  @Test
  void ignoresAttributesAfterMessageIntegrityExceptFingerprint() throws Exception {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_REQUEST, TID)
        .username("abcd:efgh")
        .messageIntegrity(KEY)
        .priority(7)
        .attribute(0x0777, new byte[4])
        .fingerprint()
        .length();

    StunMessage m = StunDecoder.decode(out, 0, n);

    assertThat(m.hasPriority()).isFalse();
    assertThat(m.hasUnknownRequiredAttributes()).isFalse();
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(KEY.verify(m)).isTrue();
  }

  @Test
  void collectsUnknownComprehensionRequiredAttributes() throws Exception {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_REQUEST, TID)
        .attribute(0x0777, new byte[] {1, 2, 3})
        .attribute(0x7fff, new byte[0])
        .attribute(0x8fff, new byte[2])
        .fingerprint()
        .length();

    assertThat(StunDecoder.decode(out, 0, n).unknownRequiredAttributes()).containsExactly(0x0777, 0x7fff);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        bad("empty", b -> new byte[0]),
        bad("shorter than a header", b -> Arrays.copyOf(b, 19)),
        bad("first bits set", b -> set(b, 0, 0xC0)),
        bad("no magic cookie", b -> set(b, 4, 0x21, 0x12, 0xA4, 0x43)),
        bad("length not a multiple of 4", b -> set(b, 2, 0, b.length - 20 - 2)),
        bad("length field too large", b -> set(b, 2, 0, b.length - 20 + 4)),
        bad("length field too small", b -> set(b, 2, 0, b.length - 20 - 4)),
        bad("truncated datagram", b -> Arrays.copyOf(b, b.length - 8)),
        bad("attribute runs past the end", b -> set(b, 22, 0x01, 0x00)),
        bad("wrong FINGERPRINT", b -> flip(b, b.length - 1)),
        bad("FINGERPRINT of wrong length", b -> set(b, b.length - 6, 0, 8)),
        bad("attribute after FINGERPRINT", b -> append(b, 0x80, 0x22, 0, 0)),
        bad("over the size cap", b -> withAttribute(0x8022, 1300)),
        bad("USERNAME over its cap", b -> withAttribute(StunAttributes.USERNAME, 600)),
        bad("MESSAGE-INTEGRITY of wrong length", b -> withAttribute(StunAttributes.MESSAGE_INTEGRITY, 16)),
        bad("too many attributes", b -> manyAttributes(StunDecoder.MAX_ATTRIBUTES + 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void rejects(String name, UnaryOperator<byte[]> corrupt) {
    byte[] bytes = corrupt.apply(check());
    assertThatThrownBy(() -> StunDecoder.decode(bytes, 0, bytes.length))
        .isInstanceOf(StunFormatException.class);
  }

  @Test
  void acceptsUpToTheAttributeCap() throws Exception {
    byte[] bytes = manyAttributes(StunDecoder.MAX_ATTRIBUTES);
    assertThat(StunDecoder.decode(bytes, 0, bytes.length).isBindingRequest()).isTrue();
  }

  @Test
  void integrityFailsOnAnyChangedByteBeforeIt() throws Exception {
    byte[] good = check();
    StunMessage m = StunDecoder.decode(good, 0, good.length);
    for (int i = 0; i < m.integrityOffset(); i++) {
      if (i == 2 || i == 3) {
        continue; // the length field is rewritten for the HMAC
      }
      byte[] changed = flip(good.clone(), i);
      // Without FINGERPRINT, so the decoder accepts it and only the HMAC can notice.
      byte[] unfingerprinted = stripFingerprint(changed);
      StunMessage c;
      try {
        c = StunDecoder.decode(unfingerprinted, 0, unfingerprinted.length);
      } catch (StunFormatException e) {
        continue;
      }
      assertThat(KEY.verify(c)).as("byte %d changed", i).isFalse();
    }
  }

  private static Arguments bad(String name, UnaryOperator<byte[]> f) {
    return Arguments.of(name, f);
  }

  private static byte[] set(byte[] b, int at, int... values) {
    for (int i = 0; i < values.length; i++) {
      b[at + i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] flip(byte[] b, int at) {
    b[at] ^= 1;
    return b;
  }

  private static byte[] append(byte[] b, int... values) {
    byte[] out = Arrays.copyOf(b, b.length + values.length);
    set(out, b.length, values);
    int length = out.length - 20;
    return set(out, 2, length >> 8, length & 0xff);
  }

  private static byte[] withAttribute(int type, int length) {
    byte[] out = new byte[2048];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_REQUEST, TID)
        .attribute(type, new byte[length])
        .length();
    return Arrays.copyOf(out, n);
  }

  private static byte[] manyAttributes(int count) {
    byte[] out = new byte[1024];
    StunWriter w = new StunWriter(out, 0).header(StunAttributes.BINDING_REQUEST, TID);
    for (int i = 0; i < count; i++) {
      w.attribute(0x8000 + i, new byte[0]);
    }
    return Arrays.copyOf(out, w.length());
  }

  private static byte[] stripFingerprint(byte[] b) {
    byte[] out = Arrays.copyOf(b, b.length - 8);
    int length = out.length - 20;
    return set(out, 2, length >> 8, length & 0xff);
  }
}
