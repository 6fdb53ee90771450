package dev.fanout.dtls;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.CipherSuite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What our server and client peers share: the cipher suites and alert logging. */
final class TlsPeers {
  private static final Logger log = LoggerFactory.getLogger(DtlsConnection.class);

  /**
   * ECDHE_ECDSA with AES-GCM only: our certificate is ECDSA (an RSA suite would make Bouncy
   * Castle's server fail with internal_error), and GCM is what browsers prefer.
   */
  static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  };

  private TlsPeers() {}

  static void logAlertRaised(
      String label, short level, short description, String message, Throwable cause) {
    if (level == AlertLevel.warning && description == AlertDescription.close_notify) {
      log.debug("{}: sent close_notify", label);
    } else {
      log.info("{}: sent DTLS {} alert {}{}", label, AlertLevel.getText(level),
          AlertDescription.getText(description), message == null ? "" : " (" + message + ")");
      if (cause != null) {
        log.debug("{}: cause of the alert", label, cause);
      }
    }
  }

  static void logAlertReceived(String label, short level, short description) {
    if (level == AlertLevel.warning && description == AlertDescription.close_notify) {
      log.debug("{}: received close_notify", label);
    } else {
      log.info("{}: received DTLS {} alert {}", label, AlertLevel.getText(level),
          AlertDescription.getText(description));
    }
  }
}
