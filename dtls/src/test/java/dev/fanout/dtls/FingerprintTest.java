package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 8122 §5 fingerprint attribute values. */
class FingerprintTest {

  /** SHA-256 of the ASCII string "abc" (FIPS 180-2 appendix B.1), in SDP form. */
  private static final String ABC_SHA256 = "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
      + "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";

  @Test
  void formatsUpperCaseHexPairsSeparatedByColons() {
    Fingerprint f = Fingerprint.of(Fingerprint.HashFunction.SHA_256,
        "abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(f.toSdp()).isEqualTo(ABC_SHA256);
    assertThat(f.matches("abc".getBytes(StandardCharsets.US_ASCII))).isTrue();
    assertThat(f.matches("abd".getBytes(StandardCharsets.US_ASCII))).isFalse();
  }

  @Test
  void parsesCaseInsensitively() {
    Fingerprint f = Fingerprint.parse("  SHA-256 " + ABC_SHA256.substring(8).toLowerCase() + " ");
    assertThat(f.toSdp()).isEqualTo(ABC_SHA256);
    assertThat(f).isEqualTo(Fingerprint.parse(ABC_SHA256));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sha-256|fingerprint needs",
      "md5 AB:CD|unsupported fingerprint hash function",
      "sha-256 BA:78|must have 32 hex pairs",
      "sha-1 BA-78-16-BF-8F-01-CF-EA-41-41-40-DE-5D-AE-22-23-B0-03-61-A3|separated by ':'",
      "sha-1 GA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3|non-hex digit",
  })
  void rejectsMalformedValues(String value, String message) {
    assertThatThrownBy(() -> Fingerprint.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @EnumSource(Fingerprint.HashFunction.class)
  void everyHashFunctionRoundTrips(Fingerprint.HashFunction hash) {
    Fingerprint f = TestPeers.SERVER_CERT.fingerprint(hash);
    assertThat(f.value()).hasSize(hash.length());
    assertThat(f.toSdp()).startsWith(hash.sdpName() + " ");
    assertThat(Fingerprint.parse(f.toSdp())).isEqualTo(f);
    assertThat(f.matches(TestPeers.SERVER_CERT.encoded())).isTrue();
  }

  @Property(tries = 300)
  void parsingArbitraryTextEitherSucceedsOrThrowsIllegalArgument(@ForAll String text) {
    try {
      Fingerprint f = Fingerprint.parse(text);
      assertThat(Fingerprint.parse(f.toSdp())).isEqualTo(f);
    } catch (IllegalArgumentException expected) {
      // the only failure allowed
    }
  }

  @Property(tries = 300)
  void formattedDigestsParseBack(@ForAll byte[] certificate) {
    Fingerprint f = Fingerprint.of(Fingerprint.HashFunction.SHA_384, certificate);
    assertThat(Fingerprint.parse(f.toSdp())).isEqualTo(f);
  }
}
