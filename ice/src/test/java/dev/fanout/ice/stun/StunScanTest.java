package dev.fanout.ice.stun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.ice.BindingVerdict;
import dev.fanout.ice.IceCredentials;
import dev.fanout.ice.IceLiteResponder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free first pass that routes a request and checks its credentials before any
 * decoding: on the RFC 5769 vector, and in agreement with the full decoder on arbitrary input.
 */
class StunScanTest {
  private final StunScan scan = new StunScan();

  @Test
  void findsUsernameIntegrityAndFingerprintOfTheRfc5769Request() {
    byte[] raw = Rfc5769Test.REQUEST;

    assertThat(scan.scan(raw, raw.length)).isTrue();

    assertThat(scan.type()).isEqualTo(StunAttributes.BINDING_REQUEST);
    assertThat(new String(raw, scan.usernameOffset(), scan.usernameLength(), StandardCharsets.UTF_8))
        .isEqualTo("evtj:h6vY");
    assertThat(scan.integrityOffset()).isEqualTo(76);
    assertThat(scan.fingerprintOffset()).isEqualTo(100);
    assertThat(scan.fingerprintMatches(raw)).isTrue();
    assertThat(scan.hasUnknownRequiredAttributes()).isFalse();
    assertThat(MessageIntegrity.shortTerm(Rfc5769Test.PASSWORD).verify(raw, scan.integrityOffset())).isTrue();
    assertThat(MessageIntegrity.shortTerm(Rfc5769Test.PASSWORD + "x").verify(raw, scan.integrityOffset())).isFalse();
  }

  @Test
  void aChangedByteBreaksTheFingerprint() {
    byte[] raw = Rfc5769Test.REQUEST.clone();
    raw[30] ^= 1; // inside SOFTWARE

    assertThat(scan.scan(raw, raw.length)).isTrue();
    assertThat(scan.fingerprintMatches(raw)).isFalse();
  }

  @Test
  void scansOnlyTheGivenLengthOfALargerScratchArray() {
    byte[] scratch = Arrays.copyOf(Rfc5769Test.REQUEST, StunDecoder.MAX_MESSAGE_LENGTH);
    Arrays.fill(scratch, Rfc5769Test.REQUEST.length, scratch.length, (byte) 0x55);

    assertThat(scan.scan(scratch, Rfc5769Test.REQUEST.length)).isTrue();
    assertThat(scan.fingerprintMatches(scratch)).isTrue();
    assertThat(scan.scan(scratch, Rfc5769Test.REQUEST.length - 4)).isFalse();
    assertThat(scan.problem()).isEqualTo("length field disagrees with the datagram's length");
  }

  @Test
  void theResponderRejectsAForgedCheckFromItsRawBytes() {
    IceCredentials local = new IceCredentials("evtj", "0123456789abcdefghijklmn");
    IceLiteResponder responder = new IceLiteResponder(local);
    byte[] raw = Rfc5769Test.REQUEST; // for ufrag evtj, but signed with another password
    scan.scan(raw, raw.length);

    assertThat(responder.authenticate(raw, scan)).isEqualTo(BindingVerdict.UNAUTHORIZED);

    byte[] out = new byte[256];
    int n = responder.writeRejection(raw, BindingVerdict.UNAUTHORIZED, out);
    assertThat(scan.scan(out, n)).isTrue();
    assertThat(scan.type()).isEqualTo(StunAttributes.BINDING_ERROR_RESPONSE);
    assertThat(scan.integrityOffset()).as("RFC 8489 §9.1.3: no MESSAGE-INTEGRITY").isEqualTo(-1);
    assertThat(scan.fingerprintMatches(out)).isTrue();
    assertThat(Arrays.copyOfRange(out, 8, 20)).isEqualTo(Rfc5769Test.TRANSACTION_ID);
  }

  @Test
  void theResponderAcceptsTheRfc5769RequestWithItsPassword() {
    IceLiteResponder responder = new IceLiteResponder(new IceCredentials("evtj", Rfc5769Test.PASSWORD));
    byte[] raw = Rfc5769Test.REQUEST;
    scan.scan(raw, raw.length);

    assertThat(responder.authenticate(raw, scan)).isNull();
    responder.remoteUfrag("h6vY");
    assertThat(responder.authenticate(raw, scan)).isNull();
    responder.remoteUfrag("someone-else");
    assertThat(responder.authenticate(raw, scan)).isEqualTo(BindingVerdict.UNAUTHORIZED);
  }

  @Property(tries = 2000)
  void agreesWithTheDecoderOnArbitraryBodies(@ForAll @Size(max = 200) byte[] body,
      @ForAll @IntRange(min = 0, max = 0x3fff) int type) {
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
    boolean scanned = scan.scan(data, data.length);
    StunMessage m;
    try {
      m = StunDecoder.decode(data, 0, data.length);
    } catch (StunFormatException e) {
      // The decoder may refuse what the scan let through (values, FINGERPRINT), never the reverse.
      return;
    }
    assertThat(scanned).isTrue();
    assertThat(scan.fingerprintMatches(data)).isTrue();
    assertThat(scan.integrityOffset()).isEqualTo(m.integrityOffset());
    assertThat(scan.unknownRequiredAttributes()).isEqualTo(m.unknownRequiredAttributes());
    if (m.username() != null && scan.usernameOffset() >= 0) {
      byte[] user = Arrays.copyOfRange(data, scan.usernameOffset(), scan.usernameOffset() + scan.usernameLength());
      assertThat(new String(user, StandardCharsets.UTF_8)).isEqualTo(m.username());
    }
  }

  @Property(tries = 2000)
  void neverThrowsOnArbitraryBytes(@ForAll @Size(max = 1400) byte[] data) {
    if (!scan.scan(data, data.length)) {
      assertThat(scan.problem()).isNotNull();
    } else {
      scan.fingerprintMatches(data);
    }
  }
}
