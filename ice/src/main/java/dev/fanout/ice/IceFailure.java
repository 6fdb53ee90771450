package dev.fanout.ice;

/** Why an {@link IceTransport} failed. */
public enum IceFailure {
  /**
   * RFC 7675 consent freshness: no valid binding request arrived from the selected address within
   * the consent timeout (30 s).
   */
  CONSENT_EXPIRED,
  /** No address was nominated within the connect timeout after registration. */
  CONNECT_TIMEOUT,
  /** The media port closed under the transport. */
  PORT_CLOSED
}
