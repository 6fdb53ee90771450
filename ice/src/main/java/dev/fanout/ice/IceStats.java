package dev.fanout.ice;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the ICE demultiplexer: what was answered, delivered and dropped, and why. */
public final class IceStats {
  final LongAdder stunMalformed = new LongAdder();
  final LongAdder stunNotRequest = new LongAdder();
  final LongAdder stunNoUsername = new LongAdder();
  final LongAdder stunUnknownUfrag = new LongAdder();
  final LongAdder stunSuccess = new LongAdder();
  final LongAdder stunMissingCredentials = new LongAdder();
  final LongAdder stunUnauthorized = new LongAdder();
  final LongAdder stunUnknownAttribute = new LongAdder();
  final LongAdder stunBadRequest = new LongAdder();
  final LongAdder stunRoleConflict = new LongAdder();
  final LongAdder stunErrorRepliesDropped = new LongAdder();
  final LongAdder stunThrottled = new LongAdder();
  final LongAdder addressClaimsRefused = new LongAdder();
  final LongAdder unvalidatedDropped = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder sendDropped = new LongAdder();
  final LongAdder selectedChanges = new LongAdder();
  final LongAdder consentExpired = new LongAdder();
  final LongAdder connectTimeouts = new LongAdder();
  final LongAdder internalErrors = new LongAdder();
  final LongAdder sent = new LongAdder();

  void count(BindingVerdict verdict) {
    switch (verdict) {
      case SUCCESS -> stunSuccess.increment();
      case MISSING_CREDENTIALS -> stunMissingCredentials.increment();
      case UNAUTHORIZED -> stunUnauthorized.increment();
      case UNKNOWN_ATTRIBUTE -> stunUnknownAttribute.increment();
      case BAD_REQUEST -> stunBadRequest.increment();
      case ROLE_CONFLICT -> stunRoleConflict.increment();
    }
  }

  /** Binding requests answered with {@code verdict}. */
  public long answered(BindingVerdict verdict) {
    return switch (verdict) {
      case SUCCESS -> stunSuccess.sum();
      case MISSING_CREDENTIALS -> stunMissingCredentials.sum();
      case UNAUTHORIZED -> stunUnauthorized.sum();
      case UNKNOWN_ATTRIBUTE -> stunUnknownAttribute.sum();
      case BAD_REQUEST -> stunBadRequest.sum();
      case ROLE_CONFLICT -> stunRoleConflict.sum();
    };
  }

  /** STUN datagrams that did not decode (size caps, structure, FINGERPRINT). */
  public long stunMalformed() {
    return stunMalformed.sum();
  }

  /** Well-formed STUN that is not a binding request (indications, stray responses): ignored. */
  public long stunNotRequest() {
    return stunNotRequest.sum();
  }

  /** Binding requests without a routable USERNAME: dropped. */
  public long stunNoUsername() {
    return stunNoUsername.sum();
  }

  /** Binding requests for a ufrag no transport has: dropped. */
  public long stunUnknownUfrag() {
    return stunUnknownUfrag.sum();
  }

  /**
   * Binding requests dropped unverified because their source failed authentication
   * {@link IceMux#FAILED_CHECKS_PER_SECOND} times within the second.
   */
  public long stunThrottled() {
    return stunThrottled.sum();
  }

  /**
   * Binding requests that earned an error answer when the port's error answer budget was spent:
   * counted in {@link #answered} all the same, but left unanswered.
   */
  public long stunErrorRepliesDropped() {
    return stunErrorRepliesDropped.sum();
  }

  /**
   * Valid checks from an address another transport is live at (a spoofed source, or a port reused
   * too soon): the address stays with its owner and the check goes unanswered.
   */
  public long addressClaimsRefused() {
    return addressClaimsRefused.sum();
  }

  /** DTLS and RTP/RTCP datagrams from an address no transport validated: dropped. */
  public long unvalidatedDropped() {
    return unvalidatedDropped.sum();
  }

  /** DTLS and RTP/RTCP datagrams handed to a transport's receiver. */
  public long delivered() {
    return delivered.sum();
  }

  /** Datagrams a transport was asked to send with no address to send to. */
  public long sendDropped() {
    return sendDropped.sum();
  }

  public long selectedChanges() {
    return selectedChanges.sum();
  }

  public long consentExpired() {
    return consentExpired.sum();
  }

  public long connectTimeouts() {
    return connectTimeouts.sum();
  }

  /** Datagrams sent from the port: forwarded RTP, RTCP, DTLS and answers to checks. */
  public long sent() {
    return sent.sum();
  }

  /** Unexpected exceptions caught on the receive path (bugs). */
  public long internalErrors() {
    return internalErrors.sum();
  }

  /** A snapshot in a stable order, for health output and metrics. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("stunSuccess", stunSuccess.sum());
    m.put("stunMissingCredentials", stunMissingCredentials.sum());
    m.put("stunUnauthorized", stunUnauthorized.sum());
    m.put("stunUnknownAttribute", stunUnknownAttribute.sum());
    m.put("stunBadRequest", stunBadRequest.sum());
    m.put("stunRoleConflict", stunRoleConflict.sum());
    m.put("stunThrottled", stunThrottled.sum());
    m.put("stunMalformed", stunMalformed.sum());
    m.put("stunNotRequest", stunNotRequest.sum());
    m.put("stunNoUsername", stunNoUsername.sum());
    m.put("stunUnknownUfrag", stunUnknownUfrag.sum());
    m.put("stunErrorRepliesDropped", stunErrorRepliesDropped.sum());
    m.put("addressClaimsRefused", addressClaimsRefused.sum());
    m.put("unvalidatedDropped", unvalidatedDropped.sum());
    m.put("delivered", delivered.sum());
    m.put("sendDropped", sendDropped.sum());
    m.put("selectedChanges", selectedChanges.sum());
    m.put("consentExpired", consentExpired.sum());
    m.put("connectTimeouts", connectTimeouts.sum());
    m.put("internalErrors", internalErrors.sum());
    m.put("sent", sent.sum());
    return m;
  }
}
