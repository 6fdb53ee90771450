package dev.fanout.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A certificate fingerprint as carried in SDP's {@code a=fingerprint} attribute (RFC 8122 §5):
 * a hash function name and the hash of the DER-encoded certificate, written as upper-case hex
 * pairs separated by colons, e.g. {@code sha-256 4A:AD:B9:…}.
 */
public final class Fingerprint {

  /** The hash functions a browser may declare (RFC 8122 §5 names), strongest last. */
  public enum HashFunction {
    SHA_1("sha-1", "SHA-1", 20),
    SHA_224("sha-224", "SHA-224", 28),
    SHA_256("sha-256", "SHA-256", 32),
    SHA_384("sha-384", "SHA-384", 48),
    SHA_512("sha-512", "SHA-512", 64);

    private final String sdpName;
    private final String jcaName;
    private final int length;

    HashFunction(String sdpName, String jcaName, int length) {
      this.sdpName = sdpName;
      this.jcaName = jcaName;
      this.length = length;
    }

    /** The token used in SDP, e.g. {@code sha-256}. */
    public String sdpName() {
      return sdpName;
    }

    /** The digest length in bytes. */
    public int length() {
      return length;
    }

    byte[] digest(byte[] data) {
      try {
        return MessageDigest.getInstance(jcaName).digest(data);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(jcaName + " is required by every Java platform", e);
      }
    }

    /** The hash function with an SDP name (case-insensitive), or null when unsupported. */
    public static HashFunction ofSdpName(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      for (HashFunction h : values()) {
        if (h.sdpName.equals(lower)) {
          return h;
        }
      }
      return null;
    }
  }

  private final HashFunction hash;
  private final byte[] value;

  private Fingerprint(HashFunction hash, byte[] value) {
    this.hash = hash;
    this.value = value;
  }

  /** The fingerprint of a DER-encoded certificate. */
  public static Fingerprint of(HashFunction hash, byte[] certificateDer) {
    return new Fingerprint(Objects.requireNonNull(hash), hash.digest(certificateDer));
  }

  /**
   * Parses the value of an SDP {@code a=fingerprint} attribute: {@code <hash-func> <hex:hex:…>}.
   * The hash name and hex digits are case-insensitive.
   *
   * @throws IllegalArgumentException when the text is malformed, the hash function is not one of
   *     {@link HashFunction}, or the digest has the wrong length for it
   */
  public static Fingerprint parse(String sdpValue) {
    String text = sdpValue.strip();
    int space = text.indexOf(' ');
    if (space <= 0) {
      throw new IllegalArgumentException("fingerprint needs '<hash> <hex>': " + abbreviate(text));
    }
    HashFunction hash = HashFunction.ofSdpName(text.substring(0, space));
    if (hash == null) {
      throw new IllegalArgumentException(
          "unsupported fingerprint hash function: " + abbreviate(text.substring(0, space)));
    }
    String hex = text.substring(space + 1).strip();
    // n pairs and n - 1 colons
    if (hex.length() != hash.length * 3 - 1) {
      throw new IllegalArgumentException(
          hash.sdpName + " fingerprint must have " + hash.length + " hex pairs: " + abbreviate(hex));
    }
    byte[] value = new byte[hash.length];
    for (int i = 0; i < hash.length; i++) {
      int at = i * 3;
      if (i > 0 && hex.charAt(at - 1) != ':') {
        throw new IllegalArgumentException("fingerprint hex pairs must be separated by ':'");
      }
      int hi = Character.digit(hex.charAt(at), 16);
      int lo = Character.digit(hex.charAt(at + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("fingerprint has a non-hex digit: " + abbreviate(hex));
      }
      value[i] = (byte) (hi << 4 | lo);
    }
    return new Fingerprint(hash, value);
  }

  public HashFunction hashFunction() {
    return hash;
  }

  /** A copy of the digest bytes. */
  public byte[] value() {
    return value.clone();
  }

  /** Whether this is the fingerprint of the DER-encoded certificate (constant time in the digest). */
  public boolean matches(byte[] certificateDer) {
    return MessageDigest.isEqual(value, hash.digest(certificateDer));
  }

  /** The digest as upper-case hex pairs separated by colons. */
  public String hex() {
    StringBuilder sb = new StringBuilder(value.length * 3);
    for (int i = 0; i < value.length; i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(Character.toUpperCase(Character.forDigit((value[i] >> 4) & 0xF, 16)));
      sb.append(Character.toUpperCase(Character.forDigit(value[i] & 0xF, 16)));
    }
    return sb.toString();
  }

  /** The SDP attribute value, e.g. {@code sha-256 AA:BB:…}. */
  public String toSdp() {
    return hash.sdpName + ' ' + hex();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint f && f.hash == hash && Arrays.equals(f.value, value);
  }

  @Override
  public int hashCode() {
    return hash.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return toSdp();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? "'" + s + "'" : "'" + s.substring(0, 64) + "…'";
  }
}
