package dev.fanout.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * Our DTLS server peer: DTLS 1.2 only, ECDHE_ECDSA with AES-GCM, extended master secret required,
 * a client certificate required and checked against the SDP fingerprint, use_srtp answered.
 */
final class SrtpTlsServer extends DefaultTlsServer {
  private final DtlsStack stack;
  private final Negotiation negotiation;
  private final int handshakeTimeoutMillis;
  private UseSRTPData srtpAnswer;

  SrtpTlsServer(DtlsStack stack, Negotiation negotiation, int handshakeTimeoutMillis) {
    super(stack.crypto());
    this.stack = stack;
    this.negotiation = negotiation;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return TlsUtils.getSupportedCipherSuites(getCrypto(), TlsPeers.CIPHER_SUITES);
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
    return stack.signerCredentials(context);
  }

  @Override
  @SuppressWarnings("rawtypes") // Bouncy Castle's extension maps are raw
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    srtpAnswer = negotiation.selectProfile(
        clientExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(clientExtensions));
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"}) // Bouncy Castle's extension maps are raw
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions = super.getServerExtensions();
    TlsSRTPUtils.addUseSRTPExtension(extensions, srtpAnswer);
    return extensions;
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
    return new CertificateRequest(
        types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    negotiation.verifyPeer(clientCertificate);
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    negotiation.complete(context);
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  @Override
  public int getHandshakeResendTimeMillis() {
    return (int) stack.config().initialRetransmit().toMillis();
  }

  @Override
  public boolean requiresExtendedMasterSecret() {
    return true;
  }

  @Override
  public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
    TlsPeers.logAlertRaised(negotiation.label, level, description, message, cause);
  }

  @Override
  public void notifyAlertReceived(short level, short description) {
    negotiation.stats.alertsReceived.increment();
    TlsPeers.logAlertReceived(negotiation.label, level, description);
  }
}
