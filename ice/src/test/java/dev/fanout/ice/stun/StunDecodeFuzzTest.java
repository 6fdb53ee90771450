package dev.fanout.ice.stun;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.ice.BindingVerdict;
import dev.fanout.ice.IceCredentials;
import dev.fanout.ice.IceLiteResponder;
import java.net.InetSocketAddress;

/**
 * Fuzzes the STUN receive path as the media port runs it: the structural scan and the credential
 * check on the raw bytes (with the answer to a rejected request), then decode, judge and answer as
 * the ICE-lite agent would. Only {@link StunFormatException} may come out of decoding, nothing
 * out of the rest. Without {@code JAZZER_FUZZ} this replays the
 * committed corpus in {@code StunDecodeFuzzTestInputs/decode} (regression mode); with
 * {@code JAZZER_FUZZ=1} it fuzzes for up to the given duration.
 */
class StunDecodeFuzzTest {
  private static final IceCredentials LOCAL = new IceCredentials("abcd", "0123456789abcdefghijklmn");
  private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 5000);
  private final IceLiteResponder responder = new IceLiteResponder(LOCAL);
  private final byte[] out = new byte[2048];
  private final StunScan scan = new StunScan();

  @FuzzTest(maxDuration = "2m")
  void decode(byte[] data) {
    if (scan.scan(data, data.length) && scan.fingerprintMatches(data)) {
      BindingVerdict early = responder.authenticate(data, scan);
      if (early != null) {
        responder.writeRejection(data, early, out);
      }
    }
    StunMessage m;
    try {
      m = StunDecoder.decode(data, 0, data.length);
    } catch (StunFormatException expected) {
      return;
    }
    m.toString();
    m.recipientUfrag();
    m.senderUfrag();
    if (m.isBindingRequest()) {
      BindingVerdict verdict = responder.check(m);
      int n = responder.writeResponse(m, verdict, PEER, out);
      try {
        StunMessage response = StunDecoder.decode(out, 0, n);
        if (response.transactionId().length != 12) {
          throw new AssertionError("bad transaction id");
        }
      } catch (StunFormatException e) {
        throw new AssertionError("our own response does not decode: " + e.getMessage(), e);
      }
    }
  }
}
