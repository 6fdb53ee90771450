package dev.fanout.rtp.srtp;

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
}
