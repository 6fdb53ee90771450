package dev.fanout.server.media;

import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.ice.IceCandidate;
import dev.fanout.ice.IceMux;
import dev.fanout.sdp.Candidate;
import dev.fanout.sdp.Fingerprint;
import dev.fanout.sdp.LocalTransport;
import dev.fanout.sdp.MediaCapabilities;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * What every transport of the server shares: the ICE mux of the single media port, the DTLS
 * certificate and handshake executor, the advertised host candidates, the codecs and header
 * extensions the server supports, and the buffer allocator of the forwarding path.
 */
public final class MediaEngine implements AutoCloseable {
  private final IceMux mux;
  private final DtlsStack dtls;
  private final List<Candidate> candidates;
  private final MediaCapabilities capabilities = MediaCapabilities.defaults();
  private final MediaStats stats = new MediaStats();
  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

  public MediaEngine(IceMux mux, DtlsStack dtls, List<String> advertisedIps, int mediaPort) {
    this.mux = mux;
    this.dtls = dtls;
    List<InetAddress> addresses = new ArrayList<>();
    for (String ip : advertisedIps) {
      try {
        addresses.add(InetAddress.getByName(ip));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("advertised address '" + ip + "' does not resolve", e);
      }
    }
    List<Candidate> c = new ArrayList<>();
    for (IceCandidate ic : IceCandidate.hosts(addresses, mediaPort)) {
      c.add(Candidate.host(ic.foundation(), ic.priority(), ic.address(), ic.port()));
    }
    this.candidates = List.copyOf(c);
  }

  public IceMux mux() {
    return mux;
  }

  public DtlsStack dtls() {
    return dtls;
  }

  /** Counters of this server's media, for metrics. */
  public MediaStats stats() {
    return stats;
  }

  public MediaCapabilities capabilities() {
    return capabilities;
  }

  public ByteBufAllocator alloc() {
    return alloc;
  }

  /** The SDP-side fingerprint of the server certificate. */
  public Fingerprint fingerprint() {
    DtlsCertificate cert = dtls.certificate();
    dev.fanout.dtls.Fingerprint f = cert.fingerprint();
    return new Fingerprint(f.hashFunction().sdpName(), f.hex());
  }

  /** What the server writes into SDP for a transport with these ICE credentials. */
  public LocalTransport localTransport(String ufrag, String pwd) {
    return LocalTransport.of(ufrag, pwd, fingerprint(), candidates);
  }

  @Override
  public void close() {
    dtls.close();
  }
}
