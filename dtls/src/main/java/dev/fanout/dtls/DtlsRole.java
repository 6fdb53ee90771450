package dev.fanout.dtls;

import java.util.Locale;

/** Which side of the DTLS handshake this endpoint plays (RFC 5763 §5, RFC 8842 §5). */
public enum DtlsRole {
  /** Sends the ClientHello: our SDP says {@code a=setup:active}. */
  CLIENT,
  /** Waits for the ClientHello: our SDP says {@code a=setup:passive}. */
  SERVER;

  /**
   * Our role given the remote description's {@code a=setup} value. A browser offering
   * {@code actpass} gets {@code passive} from Fanout, so Fanout is the server; a peer that is
   * {@code passive} makes Fanout the client.
   *
   * @throws IllegalArgumentException for {@code holdconn} or an unknown value
   */
  public static DtlsRole forRemoteSetup(String remoteSetup) {
    return switch (remoteSetup.strip().toLowerCase(Locale.ROOT)) {
      case "actpass", "active" -> SERVER;
      case "passive" -> CLIENT;
      default -> throw new IllegalArgumentException("unsupported a=setup value: " + remoteSetup);
    };
  }

  /** The {@code a=setup} value we write for this role in an answer. */
  public String localSetup() {
    return this == CLIENT ? "active" : "passive";
  }
}
