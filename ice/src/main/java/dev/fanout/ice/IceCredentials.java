package dev.fanout.ice;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * A local ICE username fragment and password (RFC 8445 §5.3): {@code a=ice-ufrag} and
 * {@code a=ice-pwd} in SDP. Both are ice-chars ({@code ALPHA / DIGIT / "+" / "/"}).
 *
 * <p>Generated ones carry 48 random bits in the ufrag (RFC minimum 24) and 144 in the password
 * (minimum 128): 8 and 24 characters of a 64-character alphabet.
 */
public record IceCredentials(String ufrag, String password) {
  public static final int UFRAG_LENGTH = 8;
  public static final int PASSWORD_LENGTH = 24;
  private static final int MIN_UFRAG = 4;
  private static final int MIN_PASSWORD = 22;
  private static final int MAX_LENGTH = 256;
  private static final char[] ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  public IceCredentials {
    Objects.requireNonNull(ufrag, "ufrag");
    Objects.requireNonNull(password, "password");
    check("ufrag", ufrag, MIN_UFRAG);
    check("password", password, MIN_PASSWORD);
  }

  /** Fresh credentials from {@code random}. */
  public static IceCredentials generate(SecureRandom random) {
    return new IceCredentials(randomIceChars(random, UFRAG_LENGTH), randomIceChars(random, PASSWORD_LENGTH));
  }

  private static String randomIceChars(SecureRandom random, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ICE_CHARS[random.nextInt(ICE_CHARS.length)];
    }
    return new String(out);
  }

  private static void check(String what, String value, int min) {
    if (value.length() < min || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " must have " + min + ".." + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/';
      if (!ok) {
        throw new IllegalArgumentException(what + " has a character that is not an ice-char");
      }
    }
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return "IceCredentials{ufrag=" + ufrag + "}";
  }
}
