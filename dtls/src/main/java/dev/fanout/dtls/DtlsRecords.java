package dev.fanout.dtls;

/**
 * Just enough of the DTLS record header (RFC 6347 §4.1) to route a datagram before Bouncy Castle
 * sees it.
 *
 * <pre>
 *  0        1        2        3        4        5 … 10        11       12       13
 * +--------+--------+--------+--------+--------+-----------+--------+--------+--------+
 * | type   | version (FE FD) | epoch           | seq (48)  | length          | body … |
 * +--------+--------+--------+--------+--------+-----------+--------+--------+--------+
 * </pre>
 *
 * For a handshake record in epoch 0 the body is cleartext and starts with the handshake type.
 */
final class DtlsRecords {
  static final int HEADER_LENGTH = 13;
  static final int CONTENT_CHANGE_CIPHER_SPEC = 20;
  static final int CONTENT_HANDSHAKE = 22;
  static final int HANDSHAKE_CERTIFICATE = 11;
  static final int HANDSHAKE_CERTIFICATE_VERIFY = 15;
  static final int HANDSHAKE_CLIENT_KEY_EXCHANGE = 16;

  /** {@link #scan} flag: some record is a ChangeCipherSpec. */
  static final int HAS_CHANGE_CIPHER_SPEC = 1;
  /** {@link #scan} flag: the first record is protected (epoch above 0). */
  static final int STARTS_PROTECTED = 2;
  /** {@link #scan} flag: some epoch-0 handshake record carries (part of) a Certificate. */
  static final int HAS_CERTIFICATE = 4;
  /** {@link #scan} flag: some epoch-0 handshake record carries (part of) a ClientKeyExchange. */
  static final int HAS_CLIENT_KEY_EXCHANGE = 8;
  /** {@link #scan} flag: some epoch-0 handshake record carries (part of) a CertificateVerify. */
  static final int HAS_CERTIFICATE_VERIFY = 16;
  /** The messages a client sends before its ChangeCipherSpec when it has a certificate. */
  static final int CLIENT_FLIGHT_BEFORE_CCS =
      HAS_CERTIFICATE | HAS_CLIENT_KEY_EXCHANGE | HAS_CERTIFICATE_VERIFY;
  static final int HANDSHAKE_CLIENT_HELLO = 1;
  /** Largest record: 2^14 bytes of plaintext plus 2048 of expansion (RFC 6347 §4.1), plus header. */
  static final int MAX_RECORD = HEADER_LENGTH + (1 << 14) + 2048;

  private DtlsRecords() {}

  /**
   * Whether the datagram starts with a plausible DTLS record: a content type of 20–63 (the DTLS
   * range of RFC 7983), a DTLS version (major byte 0xFE) and a length that fits the datagram.
   */
  static boolean startsWithRecord(byte[] d) {
    if (d.length < HEADER_LENGTH) {
      return false;
    }
    int type = d[0] & 0xFF;
    int length = ((d[11] & 0xFF) << 8) | (d[12] & 0xFF);
    return type >= 20 && type <= 63 && (d[1] & 0xFF) == 0xFE && HEADER_LENGTH + length <= d.length;
  }

  /** Which of the {@code HAS_…}/{@code STARTS_…} flags apply to the records of a datagram. */
  static int scan(byte[] d) {
    int flags = 0;
    int at = 0;
    while (at + HEADER_LENGTH <= d.length) {
      int type = d[at] & 0xFF;
      boolean epochZero = d[at + 3] == 0 && d[at + 4] == 0;
      int length = ((d[at + 11] & 0xFF) << 8) | (d[at + 12] & 0xFF);
      if (at == 0 && !epochZero) {
        flags |= STARTS_PROTECTED;
      }
      if (type == CONTENT_CHANGE_CIPHER_SPEC) {
        flags |= HAS_CHANGE_CIPHER_SPEC;
      } else if (type == CONTENT_HANDSHAKE && epochZero && length > 0
          && at + HEADER_LENGTH < d.length) {
        switch (d[at + HEADER_LENGTH] & 0xFF) {
          case HANDSHAKE_CERTIFICATE -> flags |= HAS_CERTIFICATE;
          case HANDSHAKE_CLIENT_KEY_EXCHANGE -> flags |= HAS_CLIENT_KEY_EXCHANGE;
          case HANDSHAKE_CERTIFICATE_VERIFY -> flags |= HAS_CERTIFICATE_VERIFY;
          default -> { }
        }
      }
      at += HEADER_LENGTH + length;
    }
    return flags;
  }

  /** Explicit nonce and tag of the AES-GCM suites (RFC 5288 §3): a shorter record is junk. */
  static final int MIN_PROTECTED_LENGTH = 8 + 16;
  /** Largest ciphertext of the AES-GCM suites: 2^14 bytes of plaintext plus nonce and tag. */
  static final int MAX_PROTECTED_LENGTH = (1 << 14) + MIN_PROTECTED_LENGTH;

  /**
   * Whether every record of a datagram received after the handshake is worth handing to Bouncy
   * Castle. RFC 6347 §4.1.2.7 says invalid records should be discarded silently, but Bouncy
   * Castle answers some with a fatal alert that ends the association (a protected record too
   * short for its nonce and tag, a malformed cleartext handshake record), so those are dropped
   * here. A protected record must have a length the AES-GCM suites can produce; a cleartext
   * (epoch 0) record must be a ChangeCipherSpec or a handshake record whose fragments (RFC 6347
   * §4.2.2: type, length, message_seq, fragment_offset, fragment_length, body) fill it exactly,
   * the only epoch-0 records with a purpose then (a peer retransmitting its last flight).
   */
  static boolean recordsAcceptableAfterHandshake(byte[] d) {
    int at = 0;
    while (at + HEADER_LENGTH <= d.length) {
      int type = d[at] & 0xFF;
      boolean epochZero = d[at + 3] == 0 && d[at + 4] == 0;
      int length = ((d[at + 11] & 0xFF) << 8) | (d[at + 12] & 0xFF);
      int end = at + HEADER_LENGTH + length;
      if (end > d.length) {
        return false;
      }
      if ((d[at + 1] & 0xFF) != 0xFE) {
        return false;
      }
      if (!epochZero && (length < MIN_PROTECTED_LENGTH || length > MAX_PROTECTED_LENGTH)) {
        return false;
      }
      if (epochZero) {
        if (type != CONTENT_HANDSHAKE && type != CONTENT_CHANGE_CIPHER_SPEC) {
          return false;
        }
        if (type == CONTENT_HANDSHAKE && !handshakeFragmentsFill(d, at + HEADER_LENGTH, end)) {
          return false;
        }
      }
      at = end;
    }
    return true;
  }

  private static boolean handshakeFragmentsFill(byte[] d, int from, int end) {
    final int fragmentHeader = 12;
    int at = from;
    if (at == end) {
      return false;
    }
    while (at < end) {
      if (at + fragmentHeader > end) {
        return false;
      }
      int messageLength = uint24(d, at + 1);
      int fragmentOffset = uint24(d, at + 6);
      int fragmentLength = uint24(d, at + 9);
      if (fragmentOffset + fragmentLength > messageLength
          || at + fragmentHeader + fragmentLength > end) {
        return false;
      }
      at += fragmentHeader + fragmentLength;
    }
    return true;
  }

  private static int uint24(byte[] d, int at) {
    return ((d[at] & 0xFF) << 16) | ((d[at + 1] & 0xFF) << 8) | (d[at + 2] & 0xFF);
  }

  /** Whether the datagram's first record is an epoch-0 handshake record carrying a ClientHello. */
  static boolean isClientHello(byte[] d) {
    return startsWithRecord(d)
        && (d[0] & 0xFF) == CONTENT_HANDSHAKE
        && d[3] == 0
        && d[4] == 0
        && d.length > HEADER_LENGTH
        && (d[HEADER_LENGTH] & 0xFF) == HANDSHAKE_CLIENT_HELLO;
  }
}
