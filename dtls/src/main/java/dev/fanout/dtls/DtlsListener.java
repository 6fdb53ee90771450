package dev.fanout.dtls;

import dev.fanout.rtp.srtp.SrtpKeys;

/**
 * Receives the outcome of one {@link DtlsConnection}. Every call runs on the listener executor
 * given when the connection was opened, one at a time and in order. After {@link #onClosed} or
 * {@link #onFailed} (exactly one of them, once) there are no further calls.
 */
public interface DtlsListener {

  /**
   * The handshake completed and the peer proved it holds the certificate its SDP declared.
   *
   * @param keys SRTP master keys and salts for this endpoint (local = what we send)
   */
  void onConnected(SrtpKeys keys, PeerCertificate peer);

  /** A DTLS application_data record arrived (SCTP, later). The array is the listener's. */
  default void onApplicationData(byte[] data) {}

  /**
   * The association ended cleanly: the peer sent close_notify ({@code byPeer}) or {@link
   * DtlsConnection#close} was called.
   */
  void onClosed(boolean byPeer);

  /** The handshake or the association failed; the connection is closed. */
  void onFailed(DtlsFailure failure);
}
