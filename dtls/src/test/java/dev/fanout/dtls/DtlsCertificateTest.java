package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DtlsCertificateTest {
  @TempDir Path dir;

  @Test
  void generatesASelfSignedP256CertificateValidForAYear() throws Exception {
    DtlsCertificate c = DtlsCertificate.generate();
    X509CertificateHolder holder = new X509CertificateHolder(c.encoded());

    assertThat(holder.getSubject()).isEqualTo(holder.getIssuer());
    assertThat(holder.getSubjectPublicKeyInfo().getAlgorithm().getParameters())
        .isEqualTo(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
    assertThat(holder.getSignatureAlgorithm().getAlgorithm())
        .isEqualTo(X9ObjectIdentifiers.ecdsa_with_SHA256);
    var x509 = new JcaX509CertificateConverter().getCertificate(holder);
    x509.verify(x509.getPublicKey()); // self-signed, signature valid
    assertThat(c.notAfter()).isAfter(Instant.now().plus(Duration.ofDays(360)));
    assertThat(c.fingerprint().hashFunction()).isEqualTo(Fingerprint.HashFunction.SHA_256);
    assertThat(c.fingerprint().matches(c.encoded())).isTrue();
    assertThat(c.fingerprint()).isNotEqualTo(DtlsCertificate.generate().fingerprint());
  }

  @Test
  void pemFilesRoundTrip() throws Exception {
    DtlsCertificate c = DtlsCertificate.generate();
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    c.writePem(cert, key);

    assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    DtlsCertificate loaded = DtlsCertificate.loadPem(cert, key);
    assertThat(loaded).isEqualTo(c);
    assertThat(loaded.fingerprint()).isEqualTo(c.fingerprint());
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
    DtlsCertificate a = DtlsCertificate.generate();
    DtlsCertificate b = DtlsCertificate.generate();
    a.writePem(dir.resolve("a.pem"), dir.resolve("a-key.pem"));
    b.writePem(dir.resolve("b.pem"), dir.resolve("b-key.pem"));

    assertThatThrownBy(() -> DtlsCertificate.loadPem(dir.resolve("a.pem"), dir.resolve("b-key.pem")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not hold the private key");
    assertThatThrownBy(() -> DtlsCertificate.loadPem(dir.resolve("a-key.pem"), dir.resolve("a-key.pem")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no PEM CERTIFICATE");
  }

  @Test
  void rolesFollowTheRemoteSetupAttribute() {
    assertThat(DtlsRole.forRemoteSetup("actpass")).isEqualTo(DtlsRole.SERVER);
    assertThat(DtlsRole.forRemoteSetup("active")).isEqualTo(DtlsRole.SERVER);
    assertThat(DtlsRole.forRemoteSetup("passive")).isEqualTo(DtlsRole.CLIENT);
    assertThat(DtlsRole.SERVER.localSetup()).isEqualTo("passive");
    assertThat(DtlsRole.CLIENT.localSetup()).isEqualTo("active");
    assertThatThrownBy(() -> DtlsRole.forRemoteSetup("holdconn"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
