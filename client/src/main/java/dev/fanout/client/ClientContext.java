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
 * one DTLS stack (one certificate, one bounded handshake pool). A bot needs one; the load
 * generator runs hundreds of clients on one.
 */
public final class ClientContext implements AutoCloseable {
  private final NettyTransport transport;
  private final EventLoopGroup loops;
  private final DtlsStack dtls;
  private final Duration timeout;

  private ClientContext(int threads, Duration timeout) {
    SrtpCrypto.preferOpenSsl();
    this.transport = NettyTransport.detect();
    this.loops = transport.newEventLoopGroup(threads, "fanout-client");
    this.dtls = new DtlsStack(DtlsCertificate.generate());
    this.timeout = timeout;
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
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    return new ClientContext(threads, timeout);
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

  /** Stops the event loops and the DTLS pool; close the clients first. */
  @Override
  public void close() {
    dtls.close();
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
