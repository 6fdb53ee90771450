package dev.fanout.rtp.srtp;

import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/** Facts about the SRTP crypto implementation available to this process. */
public final class SrtpCrypto {
  private SrtpCrypto() {}

  /**
   * Whether jitsi-srtp loaded its bundled JNI library against the system's libcrypto (OpenSSL).
   * Without it AES runs in Java and protect/unprotect cost several times more.
   */
  public static boolean isOpenSslLoaded() {
    try {
      return JitsiOpenSslProvider.isLoaded();
    } catch (LinkageError e) {
      return false;
    }
  }

  private static volatile boolean configured;

  /**
   * Makes jitsi-srtp use OpenSSL for AES when its native library loaded, instead of letting it
   * pick an implementation by timing them all on first use. That micro-benchmark stalls the first
   * SRTP session by a noticeable fraction of a second, on the event loop, and on a busy machine
   * its timings are noisy enough to pick a slower provider; OpenSSL (AES-NI, native GCM) is
   * the fastest here and the one the benchmarks measure. Without OpenSSL the choice is left to
   * jitsi-srtp. Idempotent; {@link SrtpSession} calls it before its first context.
   *
   * @return whether the OpenSSL factory is in use
   */
  public static synchronized boolean preferOpenSsl() {
    if (!configured) {
      configured = true;
      if (isOpenSslLoaded()) {
        Aes.setFactoryClassName(Aes.OpenSSLCipherFactory.class.getName());
      }
    }
    return isOpenSslLoaded();
  }
}
