package dev.fanout.ice.stun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.ice.BindingVerdict;
import dev.fanout.ice.IceCredentials;
import dev.fanout.ice.IceLiteResponder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class StunPropertiesTest {
  static final MessageIntegrity KEY = MessageIntegrity.shortTerm("0123456789abcdefghijklmn");

  @Property(tries = 2000)
  void arbitraryBytesEitherDecodeOrFailWithTheCodecsException(@ForAll @Size(max = 1400) byte[] data) {
    try {
      StunDecoder.decode(data, 0, data.length);
    } catch (StunFormatException expected) {
      // the only exception allowed
    }
  }

  @Property(tries = 2000)
  void bytesAfterAValidHeaderEitherDecodeOrFailWithTheCodecsException(
      @ForAll @Size(max = 200) byte[] body, @ForAll @IntRange(min = 0, max = 0x3fff) int type) {
    byte[] data = new byte[20 + body.length];
    data[0] = (byte) (type >> 8);
    data[1] = (byte) type;
    data[2] = (byte) (body.length >> 8);
    data[3] = (byte) body.length;
    data[4] = 0x21;
    data[5] = 0x12;
    data[6] = (byte) 0xA4;
    data[7] = 0x42;
    System.arraycopy(body, 0, data, 20, body.length);
    try {
      StunDecoder.decode(data, 0, data.length);
    } catch (StunFormatException expected) {
      // the only exception allowed
    }
  }

  @Property(tries = 500)
  void signedSuccessResponsesRoundTrip(@ForAll("transactionIds") byte[] tid,
      @ForAll("addresses") InetSocketAddress mapped) throws Exception {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_SUCCESS_RESPONSE, tid)
        .xorMappedAddress(mapped)
        .messageIntegrity(KEY)
        .fingerprint()
        .length();

    StunMessage m = StunDecoder.decode(out, 0, n);

    assertThat(m.type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
    assertThat(m.transactionId()).isEqualTo(tid);
    assertThat(m.xorMappedAddress()).isEqualTo(mapped);
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(KEY.verify(m)).isTrue();
  }

  @Property(tries = 500)
  void checksRoundTrip(@ForAll("transactionIds") byte[] tid, @ForAll("ufrags") String local,
      @ForAll("ufrags") String remote, @ForAll @IntRange(min = 1) int priority,
      @ForAll long tieBreaker, @ForAll boolean useCandidate) throws Exception {
    byte[] out = new byte[512];
    StunWriter w = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_REQUEST, tid)
        .username(local + ":" + remote)
        .priority(priority)
        .iceControlling(tieBreaker);
    if (useCandidate) {
      w.useCandidate();
    }
    int n = w.messageIntegrity(KEY).fingerprint().length();

    StunMessage m = StunDecoder.decode(out, 0, n);

    assertThat(m.recipientUfrag()).isEqualTo(local);
    assertThat(m.senderUfrag()).isEqualTo(remote);
    assertThat(m.priority()).isEqualTo(priority);
    assertThat(m.iceControlling()).isEqualTo(tieBreaker);
    assertThat(m.useCandidate()).isEqualTo(useCandidate);
    assertThat(KEY.verify(m)).isTrue();
  }

  /**
   * Any single flipped bit makes the agent refuse the check: before MESSAGE-INTEGRITY the HMAC
   * fails, inside FINGERPRINT the decoder rejects it, and a flip that turns FINGERPRINT into an
   * unknown optional attribute leaves a check without FINGERPRINT (400).
   */
  @Property(tries = 1000)
  void anyBitFlipInASignedCheckIsRefused(@ForAll("transactionIds") byte[] tid,
      @ForAll @IntRange(min = 0, max = 10_000) int where) {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_REQUEST, tid)
        .username("abcd:efgh")
        .priority(12345)
        .iceControlling(1)
        .messageIntegrity(KEY)
        .fingerprint()
        .length();
    IceLiteResponder responder = new IceLiteResponder(
        new IceCredentials("abcd", "0123456789abcdefghijklmn"));
    byte[] changed = Arrays.copyOf(out, n);
    int bit = where % (n * 8);
    changed[bit / 8] ^= (byte) (1 << (bit % 8));

    boolean accepted;
    try {
      StunMessage m = StunDecoder.decode(changed, 0, changed.length);
      accepted = responder.check(m) == BindingVerdict.SUCCESS;
    } catch (StunFormatException e) {
      accepted = false;
    }
    assertThat(accepted).as("bit %d flipped", bit).isFalse();
  }

  @Provide
  Arbitrary<byte[]> transactionIds() {
    return Arbitraries.bytes().array(byte[].class).ofSize(12);
  }

  @Provide
  Arbitrary<String> ufrags() {
    return Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        .ofMinLength(4).ofMaxLength(32);
  }

  @Provide
  Arbitrary<InetSocketAddress> addresses() {
    Arbitrary<byte[]> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4);
    Arbitrary<byte[]> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16);
    return Arbitraries.oneOf(v4, v6).flatMap(ip -> Arbitraries.integers().between(0, 65535)
        .map(port -> {
          try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
          } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
          }
        }));
  }
}
