package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** RFC 6347 §4.1 record headers, as far as routing needs them. */
class DtlsRecordsTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void recognisesAClientHello() throws Exception {
    byte[] hello = DtlsBadInputTest.captureClientHello();
    assertThat(DtlsRecords.startsWithRecord(hello)).isTrue();
    assertThat(DtlsRecords.isClientHello(hello)).isTrue();
    assertThat(DtlsRecords.recordsAcceptableAfterHandshake(hello)).isTrue();
    byte[] epoch1 = hello.clone();
    epoch1[4] = 1;
    assertThat(DtlsRecords.isClientHello(epoch1)).isFalse();
  }

  @Test
  void flagsTheRecordsOfAClientFlight() {
    // handshake Certificate (empty body), ChangeCipherSpec, then a protected record
    byte[] d = HEX.parseHex(
        "16fefd00000000000000010010" + "0b000004000100000000000400000000"
        + "14fefd00000000000000020001" + "01"
        + "17fefd0001000000000000001c" + "00".repeat(28));
    int flags = DtlsRecords.scan(d);
    assertThat(flags & DtlsRecords.HAS_CERTIFICATE).isNotZero();
    assertThat(flags & DtlsRecords.HAS_CHANGE_CIPHER_SPEC).isNotZero();
    assertThat(flags & DtlsRecords.STARTS_PROTECTED).isZero();
    assertThat(DtlsRecords.recordsAcceptableAfterHandshake(d)).isTrue();
  }

  @Test
  void refusesProtectedRecordsTooShortForGcm() {
    byte[] d = HEX.parseHex("17fefd00010000000000000017" + "00".repeat(23));
    assertThat(DtlsRecords.startsWithRecord(d)).isTrue();
    assertThat(DtlsRecords.recordsAcceptableAfterHandshake(d)).isFalse();
  }

  @Test
  void refusesCleartextHandshakeFragmentsThatDoNotAddUp() {
    // fragment_length 5 but only 4 body bytes
    byte[] d = HEX.parseHex("16fefd00000000000000010010" + "0b000005000100000000000500000000");
    assertThat(DtlsRecords.recordsAcceptableAfterHandshake(d)).isFalse();
  }

  @Property(tries = 2000)
  void arbitraryBytesNeverThrow(@ForAll byte[] d) {
    DtlsRecords.startsWithRecord(d);
    DtlsRecords.isClientHello(d);
    DtlsRecords.scan(d);
    DtlsRecords.recordsAcceptableAfterHandshake(d);
  }

  @FuzzTest(maxDuration = "10s")
  void fuzzRecordHeaders(byte[] d) {
    DtlsRecords.startsWithRecord(d);
    DtlsRecords.isClientHello(d);
    DtlsRecords.scan(d);
    DtlsRecords.recordsAcceptableAfterHandshake(d);
  }
}
