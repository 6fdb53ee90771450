package dev.fanout.dtls;

import java.util.List;

/**
 * A server stack and a client stack, each with its own certificate, and one connection of each
 * joined by a {@link MemoryLink}: end {@code a} is the server, end {@code b} the client.
 */
final class TestPeers implements AutoCloseable {
  static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
  static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();

  final DtlsStack serverStack;
  final DtlsStack clientStack;
  final MemoryLink link;
  final Recorder serverEvents = new Recorder();
  final Recorder clientEvents = new Recorder();
  DtlsConnection server;
  DtlsConnection client;

  TestPeers(DtlsConfig serverConfig, DtlsConfig clientConfig, MemoryLink link) {
    this.serverStack = new DtlsStack(SERVER_CERT, serverConfig);
    this.clientStack = new DtlsStack(CLIENT_CERT, clientConfig);
    this.link = link;
  }

  TestPeers(MemoryLink link) {
    this(DtlsConfig.defaults(), DtlsConfig.defaults(), link);
  }

  /** Opens both connections, each expecting the other's real fingerprint. */
  TestPeers open() {
    return open(List.of(CLIENT_CERT.fingerprint()), List.of(SERVER_CERT.fingerprint()));
  }

  TestPeers open(List<Fingerprint> serverExpects, List<Fingerprint> clientExpects) {
    server = serverStack.newConnection(DtlsRole.SERVER)
        .remoteFingerprints(serverExpects)
        .sender(link.a.sender())
        .listener(serverEvents, link.a.loop)
        .label("server")
        .open();
    link.a.connection = server;
    client = clientStack.newConnection(DtlsRole.CLIENT)
        .remoteFingerprints(clientExpects)
        .sender(link.b.sender())
        .listener(clientEvents, link.b.loop)
        .label("client")
        .open();
    link.b.connection = client;
    return this;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close();
    }
    serverStack.close();
    clientStack.close();
    link.close();
  }
}
