package dev.fanout.dtls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The server's DTLS identity: an ECDSA P-256 key and a self-signed certificate, with the SHA-256
 * fingerprint that goes into every SDP the server writes. One per server process, shared by every
 * connection. Immutable and thread-safe.
 */
public final class DtlsCertificate {
  private static final String COMMON_NAME = "CN=fanout";
  private static final Duration BACKDATE = Duration.ofDays(1);
  private static final Duration VALIDITY = Duration.ofDays(365);

  private final byte[] der;
  private final ECPrivateKeyParameters privateKey;
  private final Instant notAfter;
  private final Fingerprint sha256;

  private DtlsCertificate(byte[] der, ECPrivateKeyParameters privateKey, Instant notAfter) {
    this.der = der;
    this.privateKey = privateKey;
    this.notAfter = notAfter;
    this.sha256 = Fingerprint.of(Fingerprint.HashFunction.SHA_256, der);
  }

  /** Generates a fresh P-256 key and a self-signed certificate valid for a year. */
  public static DtlsCertificate generate() {
    SecureRandom random = new SecureRandom();
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(
        ECNamedDomainParameters.lookup(SECObjectIdentifiers.secp256r1), random));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    ECPrivateKeyParameters key = (ECPrivateKeyParameters) pair.getPrivate();
    Instant now = Instant.now();
    Instant notAfter = now.plus(VALIDITY);
    try {
      X500Name name = new X500Name(COMMON_NAME);
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
          name,
          new BigInteger(63, random).add(BigInteger.ONE),
          Date.from(now.minus(BACKDATE)),
          Date.from(notAfter),
          name,
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic()));
      AlgorithmIdentifier sigAlg =
          new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      AlgorithmIdentifier digAlg = new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg);
      X509CertificateHolder holder =
          builder.build(new BcECContentSignerBuilder(sigAlg, digAlg).build(key));
      return new DtlsCertificate(holder.getEncoded(), key, notAfter);
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create a self-signed certificate", e);
    }
  }

  /**
   * Loads a certificate and its private key from PEM files (as written by {@link #writePem} or by
   * {@code openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1}). The key must be a
   * P-256 key ({@code PRIVATE KEY} or {@code EC PRIVATE KEY}) and must match the certificate.
   *
   * @throws IOException when a file cannot be read or does not hold what is expected
   */
  public static DtlsCertificate loadPem(Path certificateFile, Path privateKeyFile)
      throws IOException {
    X509CertificateHolder holder;
    try (Reader r = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      if (!(o instanceof X509CertificateHolder h)) {
        throw new IOException(certificateFile + ": no PEM CERTIFICATE found");
      }
      holder = h;
    }
    PrivateKeyInfo keyInfo;
    try (Reader r = Files.newBufferedReader(privateKeyFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      // "EC PARAMETERS" may precede "EC PRIVATE KEY" in files written by openssl ecparam
      while (o != null && !(o instanceof PEMKeyPair) && !(o instanceof PrivateKeyInfo)) {
        o = parser.readObject();
      }
      if (o instanceof PEMKeyPair kp) {
        keyInfo = kp.getPrivateKeyInfo();
      } else if (o instanceof PrivateKeyInfo pki) {
        keyInfo = pki;
      } else {
        throw new IOException(privateKeyFile + ": no unencrypted PEM private key found");
      }
    }
    AsymmetricKeyParameter key = PrivateKeyFactory.createKey(keyInfo);
    if (!(key instanceof ECPrivateKeyParameters ec)
        || !(ec.getParameters() instanceof ECNamedDomainParameters named)
        || !SECObjectIdentifiers.secp256r1.equals(named.getName())) {
      throw new IOException(privateKeyFile + ": the DTLS key must be an ECDSA P-256 key");
    }
    AsymmetricKeyParameter certKey = PublicKeyFactory.createKey(holder.getSubjectPublicKeyInfo());
    if (!(certKey instanceof ECPublicKeyParameters pub)
        || !pub.getQ().equals(ec.getParameters().getG().multiply(ec.getD()).normalize())) {
      throw new IOException(
          privateKeyFile + " does not hold the private key of " + certificateFile);
    }
    return new DtlsCertificate(holder.getEncoded(), ec, holder.getNotAfter().toInstant());
  }

  /** Writes the certificate and the private key (PKCS#8, unencrypted) as PEM files. */
  public void writePem(Path certificateFile, Path privateKeyFile) throws IOException {
    Files.writeString(certificateFile, certificatePem(), StandardCharsets.US_ASCII);
    StringWriter key = new StringWriter();
    writePemObject(key, "PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey).getEncoded());
    Files.writeString(privateKeyFile, key.toString(), StandardCharsets.US_ASCII);
  }

  /** The certificate in PEM form. */
  public String certificatePem() {
    StringWriter w = new StringWriter();
    try {
      writePemObject(w, "CERTIFICATE", der);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  /** The SHA-256 fingerprint, the one Fanout declares in SDP. */
  public Fingerprint fingerprint() {
    return sha256;
  }

  /** The fingerprint under another hash function. */
  public Fingerprint fingerprint(Fingerprint.HashFunction hash) {
    return Fingerprint.of(hash, der);
  }

  /** A copy of the DER-encoded certificate. */
  public byte[] encoded() {
    return der.clone();
  }

  /** When the certificate expires. */
  public Instant notAfter() {
    return notAfter;
  }

  Certificate tlsCertificate(BcTlsCrypto crypto) throws IOException {
    return new Certificate(new TlsCertificate[] {new BcTlsCertificate(crypto, der)});
  }

  ECPrivateKeyParameters privateKey() {
    return privateKey;
  }

  private static void writePemObject(Writer out, String type, byte[] content) throws IOException {
    try (PemWriter pem = new PemWriter(out)) {
      pem.writeObject(new PemObject(type, content));
    }
  }

  @Override
  public String toString() {
    return "DtlsCertificate[" + sha256.toSdp() + ", notAfter=" + notAfter + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DtlsCertificate c && Arrays.equals(c.der, der);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(der);
  }
}
