package dev.fanout.ice;

import dev.fanout.ice.stun.MessageIntegrity;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.ice.stun.StunWriter;
import java.net.InetSocketAddress;

/**
 * The stateless half of an ICE-lite agent: judges a binding request against the local
 * credentials and writes the answer. {@link IceTransport} adds the state (candidates, nomination,
 * consent).
 *
 * <p>Not thread-safe (it holds a keyed HMAC): use it from one thread.
 */
public final class IceLiteResponder {
  private final IceCredentials local;
  private final MessageIntegrity key;
  private volatile String remoteUfrag;

  public IceLiteResponder(IceCredentials local) {
    this.local = local;
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
    this.remoteUfrag = ufrag;
  }

  /**
   * Checks a binding request in the order RFC 8489 §6.3 and §9.1.3 give: credentials present,
   * USERNAME and MESSAGE-INTEGRITY valid, no unknown comprehension-required attribute; then what
   * RFC 8445 §7.3 requires of a check: FINGERPRINT, PRIORITY, and the peer in the controlling
   * role.
   */
  public BindingVerdict check(StunMessage request) {
    if (request.username() == null || !request.hasIntegrity()) {
      return BindingVerdict.MISSING_CREDENTIALS;
    }
    String sender = request.senderUfrag();
    String expectedSender = remoteUfrag;
    if (!local.ufrag().equals(request.recipientUfrag())
        || sender == null || sender.isEmpty()
        || (expectedSender != null && !expectedSender.equals(sender))) {
      return BindingVerdict.UNAUTHORIZED;
    }
    if (!key.verify(request)) {
      return BindingVerdict.UNAUTHORIZED;
    }
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
