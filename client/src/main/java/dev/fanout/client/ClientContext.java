package dev.fanout.client;

import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.ice.net.NettyTransport;
import dev.fanout.rtp.srtp.SrtpCrypto;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What many {@link FanoutClient}s in one JVM share: the event loops their UDP sockets run on, and
 * one DTLS stack (one certificate, a bounded number of handshakes in progress). A bot needs one; the load
 * generator runs hundreds of clients on one.
 */
public final class ClientContext implements AutoCloseable {
  private final NettyTransport transport;
  private final EventLoopGroup loops;
  private final DtlsStack dtls;
  private final Duration timeout;
  private final Duration consentInterval;

  private ClientContext(int threads, Duration timeout, Duration consentInterval) {
    SrtpCrypto.preferOpenSsl();
    this.transport = NettyTransport.detect();
    this.loops = transport.newEventLoopGroup(threads, "fanout-client");
    this.dtls = new DtlsStack(DtlsCertificate.generate());
    this.timeout = timeout;
    this.consentInterval = consentInterval;
  }

  /** One event loop, a new certificate, 10 s for signaling calls and connection set-up. */
  public static ClientContext create() {
    return create(1, Duration.ofSeconds(10));
  }

  /**
   * @param threads event loops the clients' sockets are spread over
   * @param timeout how long a signaling call or a transport set-up may take
   */
  public static ClientContext create(int threads, Duration timeout) {
    return create(threads, timeout, Duration.ofSeconds(5));
  }

  /**
   * @param consentInterval how often an established transport sends a consent check (RFC 7675
   *     §5.1 suggests about 5 s; the server's consent timeout must be longer)
   */
  public static ClientContext create(int threads, Duration timeout, Duration consentInterval) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    return new ClientContext(threads, timeout, consentInterval);
  }

  public NettyTransport transport() {
    return transport;
  }

  public EventLoopGroup loops() {
    return loops;
  }

  public DtlsStack dtls() {
    return dtls;
  }

  public Duration timeout() {
    return timeout;
  }

  public Duration consentInterval() {
    return consentInterval;
  }

  /** Stops the event loops and the DTLS pool; close the clients first. */
  @Override
  public void close() {
    dtls.close();
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
