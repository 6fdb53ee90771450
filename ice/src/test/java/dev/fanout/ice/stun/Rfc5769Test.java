package dev.fanout.ice.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of RFC 5769 ("Test Vectors for STUN"): decoding with MESSAGE-INTEGRITY and
 * FINGERPRINT checked, and encoding byte for byte. The vectors pad with spaces (0x20), which RFC
 * 8489 allows, so the encoding tests write with that padding.
 */
class Rfc5769Test {
  static final String PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
  static final byte[] TRANSACTION_ID = hex("b7e7a701bc34d686fa87dfae");

  /** RFC 5769 §2.1: sample request. */
  static final byte[] REQUEST = hex(
      "00010058" // Request type and message length
          + "2112a442" // Magic cookie
          + "b7e7a701bc34d686fa87dfae" // Transaction ID
          + "80220010" // SOFTWARE attribute header
          + "5354554e207465737420636c69656e74" // "STUN test client"
          + "00240004" // PRIORITY attribute header
          + "6e0001ff" // ICE priority value
          + "80290008" // ICE-CONTROLLED attribute header
          + "932ff9b151263b36" // Tie breaker
          + "00060009" // USERNAME attribute header
          + "6576746a3a68367659202020" // "evtj:h6vY" + padding
          + "00080014" // MESSAGE-INTEGRITY attribute header
          + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" // HMAC-SHA1 fingerprint
          + "80280004" // FINGERPRINT attribute header
          + "e57a3bcf"); // CRC32 fingerprint

  /** RFC 5769 §2.2: sample IPv4 response, mapped address 192.0.2.1:32853. */
  static final byte[] RESPONSE_IPV4 = hex(
      "0101003c" // Response type and message length
          + "2112a442" // Magic cookie
          + "b7e7a701bc34d686fa87dfae" // Transaction ID
          + "8022000b" // SOFTWARE attribute header
          + "7465737420766563746f7220" // "test vector" + padding
          + "00200008" // XOR-MAPPED-ADDRESS attribute header
          + "0001a147" // Address family (IPv4) and xor'd mapped port number
          + "e112a643" // Xor'd mapped IPv4 address
          + "00080014" // MESSAGE-INTEGRITY attribute header
          + "2b91f599fd9e90c38c7489f92af9ba53f06be7d7" // HMAC-SHA1 fingerprint
          + "80280004" // FINGERPRINT attribute header
          + "c07d4c96"); // CRC32 fingerprint

  /** RFC 5769 §2.3: sample IPv6 response, mapped address [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
  static final byte[] RESPONSE_IPV6 = hex(
      "01010048" // Response type and message length
          + "2112a442" // Magic cookie
          + "b7e7a701bc34d686fa87dfae" // Transaction ID
          + "8022000b" // SOFTWARE attribute header
          + "7465737420766563746f7220" // "test vector" + padding
          + "00200014" // XOR-MAPPED-ADDRESS attribute header
          + "0002a147" // Address family (IPv6) and xor'd mapped port number
          + "0113a9faa5d3f179bc25f4b5bed2b9d9" // Xor'd mapped IPv6 address
          + "00080014" // MESSAGE-INTEGRITY attribute header
          + "a382954e4be67bf11784c97c8292c275bfe3ed41" // HMAC-SHA1 fingerprint
          + "80280004" // FINGERPRINT attribute header
          + "c8fb0b4c"); // CRC32 fingerprint

  static final InetSocketAddress MAPPED_V4 = address("192.0.2.1", 32853);
  static final InetSocketAddress MAPPED_V6 = address("2001:db8:1234:5678:11:2233:4455:6677", 32853);

  @Test
  void decodesSampleRequest() throws Exception {
    StunMessage m = StunDecoder.decode(REQUEST, 0, REQUEST.length);

    assertThat(m.isBindingRequest()).isTrue();
    assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
    assertThat(m.username()).isEqualTo("evtj:h6vY");
    assertThat(m.recipientUfrag()).isEqualTo("evtj");
    assertThat(m.senderUfrag()).isEqualTo("h6vY");
    assertThat(m.priority()).isEqualTo(0x6e0001ffL);
    assertThat(m.iceControlled()).isEqualTo(0x932ff9b151263b36L);
    assertThat(m.iceControlling()).isNull();
    assertThat(m.useCandidate()).isFalse();
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(m.integrityOffset()).isEqualTo(76);
    assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(m)).isTrue();
    assertThat(MessageIntegrity.shortTerm(PASSWORD + "x").verify(m)).isFalse();
  }

  @Test
  void encodesSampleRequest() {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0, (byte) 0x20)
        .header(StunAttributes.BINDING_REQUEST, TRANSACTION_ID)
        .software("STUN test client")
        .priority(0x6e0001ffL)
        .iceControlled(0x932ff9b151263b36L)
        .username("evtj:h6vY")
        .messageIntegrity(MessageIntegrity.shortTerm(PASSWORD))
        .fingerprint()
        .length();

    assertThat(HexFormat.of().formatHex(out, 0, n)).isEqualTo(HexFormat.of().formatHex(REQUEST));
  }

  @Test
  void decodesSampleIpv4Response() throws Exception {
    StunMessage m = StunDecoder.decode(RESPONSE_IPV4, 0, RESPONSE_IPV4.length);

    assertThat(m.type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
    assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
    assertThat(m.xorMappedAddress()).isEqualTo(MAPPED_V4);
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(m)).isTrue();
  }

  @Test
  void encodesSampleIpv4Response() {
    assertThat(encodeResponse(MAPPED_V4)).isEqualTo(HexFormat.of().formatHex(RESPONSE_IPV4));
  }

  @Test
  void decodesSampleIpv6Response() throws Exception {
    StunMessage m = StunDecoder.decode(RESPONSE_IPV6, 0, RESPONSE_IPV6.length);

    assertThat(m.type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
    assertThat(m.xorMappedAddress()).isEqualTo(MAPPED_V6);
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(m)).isTrue();
  }

  @Test
  void encodesSampleIpv6Response() {
    assertThat(encodeResponse(MAPPED_V6)).isEqualTo(HexFormat.of().formatHex(RESPONSE_IPV6));
  }

  @Test
  void encodesAtAnOffsetInsideALargerBuffer() {
    byte[] out = new byte[300];
    int n = new StunWriter(out, 100, (byte) 0x20)
        .header(StunAttributes.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID)
        .software("test vector")
        .xorMappedAddress(MAPPED_V4)
        .messageIntegrity(MessageIntegrity.shortTerm(PASSWORD))
        .fingerprint()
        .length();

    assertThat(HexFormat.of().formatHex(out, 100, 100 + n)).isEqualTo(HexFormat.of().formatHex(RESPONSE_IPV4));
  }

  private static String encodeResponse(InetSocketAddress mapped) {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0, (byte) 0x20)
        .header(StunAttributes.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID)
        .software("test vector")
        .xorMappedAddress(mapped)
        .messageIntegrity(MessageIntegrity.shortTerm(PASSWORD))
        .fingerprint()
        .length();
    return HexFormat.of().formatHex(out, 0, n);
  }

  static InetSocketAddress address(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
