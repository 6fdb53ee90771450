package dev.fanout.ice;

import dev.fanout.ice.stun.MessageIntegrity;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.ice.stun.StunScan;
import dev.fanout.ice.stun.StunWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The stateless half of an ICE-lite agent: judges a binding request against the local
 * credentials and writes the answer. {@link IceTransport} adds the state (candidates, nomination,
 * consent).
 *
 * <p>Judging comes in two halves so that junk is cheap: {@link #authenticate} works on the raw
 * bytes and a {@link StunScan} (no decoding, no allocation), and only an authentic request is
 * decoded and given to {@link #judge}. {@link #check} does both.
 *
 * <p>Not thread-safe (it holds a keyed HMAC and scratch space): use it from one thread.
 */
public final class IceLiteResponder {
  private final IceCredentials local;
  private final byte[] localUfrag;
  private final MessageIntegrity key;
  private final byte[] transactionId = new byte[StunAttributes.TRANSACTION_ID_LENGTH];
  private volatile byte[] remoteUfrag;

  public IceLiteResponder(IceCredentials local) {
    this.local = local;
    this.localUfrag = local.ufrag().getBytes(StandardCharsets.US_ASCII);
    this.key = MessageIntegrity.shortTerm(local.password());
  }

  public IceCredentials local() {
    return local;
  }

  /**
   * Requires the sender part of USERNAME to be {@code ufrag} (the remote description's
   * {@code a=ice-ufrag}). Until set, any non-empty sender ufrag is accepted: the password is what
   * authenticates.
   */
  public void remoteUfrag(String ufrag) {
    this.remoteUfrag = ufrag == null ? null : ufrag.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks a binding request in the order RFC 8489 §6.3 and §9.1.3 give: credentials present,
   * USERNAME and MESSAGE-INTEGRITY valid ({@link #authenticate}), then the rest
   * ({@link #judge}).
   */
  public BindingVerdict check(StunMessage request) {
    byte[] raw = request.raw();
    StunScan scan = new StunScan();
    if (!scan.scan(raw, raw.length)) {
      throw new IllegalArgumentException("not a decoded message: " + scan.problem());
    }
    BindingVerdict verdict = authenticate(raw, scan);
    return verdict != null ? verdict : judge(request);
  }

  /**
   * The credential half of the check, on the raw message in {@code raw} (from offset 0) that
   * {@code scan} has just scanned: USERNAME and MESSAGE-INTEGRITY present, USERNAME naming us as
   * the recipient and a non-empty (or the expected) sender, MESSAGE-INTEGRITY valid under our
   * password. Costs one HMAC at most and allocates nothing.
   *
   * @return null when authentic; otherwise {@link BindingVerdict#MISSING_CREDENTIALS} or
   *     {@link BindingVerdict#UNAUTHORIZED}
   */
  public BindingVerdict authenticate(byte[] raw, StunScan scan) {
    int user = scan.usernameOffset();
    if (user < 0 || scan.integrityOffset() < 0) {
      return BindingVerdict.MISSING_CREDENTIALS;
    }
    int length = scan.usernameLength();
    int colon = indexOf(raw, user, length, (byte) ':');
    byte[] expectedSender = remoteUfrag;
    int senderLength = user + length - colon - 1;
    if (colon < 0
        || !regionEquals(raw, user, colon - user, localUfrag)
        || senderLength == 0
        || (expectedSender != null && !regionEquals(raw, colon + 1, senderLength, expectedSender))) {
      return BindingVerdict.UNAUTHORIZED;
    }
    if (!key.verify(raw, scan.integrityOffset())) {
      return BindingVerdict.UNAUTHORIZED;
    }
    return null;
  }

  /**
   * The rest of the check, for a request {@link #authenticate} accepted: no unknown
   * comprehension-required attribute, then what RFC 8445 §7.3 requires of a check: FINGERPRINT,
   * PRIORITY, and the peer in the controlling role.
   */
  public BindingVerdict judge(StunMessage request) {
    if (request.hasUnknownRequiredAttributes()) {
      return BindingVerdict.UNKNOWN_ATTRIBUTE;
    }
    if (!request.hasFingerprint() || !request.hasPriority()) {
      return BindingVerdict.BAD_REQUEST;
    }
    boolean controlling = request.iceControlling() != null;
    boolean controlled = request.iceControlled() != null;
    if (controlled && !controlling) {
      // RFC 8445 §7.3.1.1: both sides controlled. A lite agent cannot take the controlling role,
      // so it always keeps its role, as if its tie-breaker were the largest.
      return BindingVerdict.ROLE_CONFLICT;
    }
    if (!controlling) {
      return BindingVerdict.BAD_REQUEST;
    }
    return BindingVerdict.SUCCESS;
  }

  /**
   * Writes the unsigned error response to a request {@link #authenticate} rejected, from its raw
   * bytes (only the transaction id is needed), into {@code out} from offset 0; returns its length.
   */
  public int writeRejection(byte[] raw, BindingVerdict verdict, byte[] out) {
    if (verdict.signed()) {
      throw new IllegalArgumentException(verdict + " is answered to authentic requests only");
    }
    System.arraycopy(raw, 8, transactionId, 0, transactionId.length);
    return new StunWriter(out, 0)
        .header(StunAttributes.BINDING_ERROR_RESPONSE, transactionId)
        .errorCode(verdict.errorCode(), verdict.reason())
        .fingerprint()
        .length();
  }

  private static int indexOf(byte[] b, int from, int length, byte value) {
    for (int i = from; i < from + length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static boolean regionEquals(byte[] b, int from, int length, byte[] expected) {
    if (length != expected.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (b[from + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes the response for {@code verdict} into {@code out} from offset 0 and returns its
   * length. A success response carries XOR-MAPPED-ADDRESS ({@code sender}); every response ends
   * with FINGERPRINT (RFC 8445 §7.3).
   */
  public int writeResponse(StunMessage request, BindingVerdict verdict, InetSocketAddress sender,
      byte[] out) {
    StunWriter w = new StunWriter(out, 0);
    byte[] tid = request.transactionId();
    if (verdict == BindingVerdict.SUCCESS) {
      w.header(StunAttributes.BINDING_SUCCESS_RESPONSE, tid).xorMappedAddress(sender);
    } else {
      w.header(StunAttributes.BINDING_ERROR_RESPONSE, tid)
          .errorCode(verdict.errorCode(), verdict.reason());
      if (verdict == BindingVerdict.UNKNOWN_ATTRIBUTE) {
        w.unknownAttributes(request.unknownRequiredAttributes());
      }
    }
    if (verdict.signed()) {
      w.messageIntegrity(key);
    }
    return w.fingerprint().length();
  }
}
