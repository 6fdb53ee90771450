package dev.fanout.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * Our DTLS client peer: DTLS 1.2 only, ECDHE_ECDSA with AES-GCM, extended master secret required,
 * use_srtp offered, the server certificate checked against the SDP fingerprint, our certificate
 * sent when asked (WebRTC servers always ask).
 */
final class SrtpTlsClient extends DefaultTlsClient {
  private final DtlsStack stack;
  private final Negotiation negotiation;
  private final int handshakeTimeoutMillis;

  SrtpTlsClient(DtlsStack stack, Negotiation negotiation, int handshakeTimeoutMillis) {
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
  @SuppressWarnings({"rawtypes", "unchecked"}) // Bouncy Castle's extension maps are raw
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions = super.getClientExtensions();
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(negotiation.offeredProfileIds(), Negotiation.NO_MKI));
    return extensions;
  }

  @Override
  @SuppressWarnings("rawtypes") // Bouncy Castle's extension maps are raw
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    negotiation.acceptSelection(
        serverExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(serverExtensions));
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate serverCertificate)
          throws IOException {
        negotiation.verifyPeer(serverCertificate.getCertificate());
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
        return stack.signerCredentials(context);
      }
    };
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
