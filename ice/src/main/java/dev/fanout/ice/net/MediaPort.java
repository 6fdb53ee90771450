package dev.fanout.ice.net;

import dev.fanout.rtp.PacketClass;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single UDP port every transport of every participant shares (like mediasoup's and
 * LiveKit's UDP mux). Its Netty handler only classifies by first byte (RFC 7983), counts, and
 * hands the datagram on to a {@link DatagramDispatcher}; it never parses.
 */
public final class MediaPort implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MediaPort.class);

  /** Largest datagram accepted; anything longer is truncated by the kernel and then rejected. */
  public static final int MAX_DATAGRAM = 2048;
  /** Datagrams read per recvmmsg(2) call on epoll. */
  public static final int DATAGRAMS_PER_READ = 64;
  private static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

  private final Channel channel;
  private final MediaPortStats stats;
  private final NettyTransport transport;

  private MediaPort(Channel channel, MediaPortStats stats, NettyTransport transport) {
    this.channel = channel;
    this.stats = stats;
    this.transport = transport;
  }

  /**
   * Binds the port. Blocks until bound; a bind failure (address in use, no such address) is an
   * {@link java.io.IOException}.
   */
  public static MediaPort bind(
      NettyTransport transport,
      EventLoopGroup group,
      InetSocketAddress address,
      DatagramDispatcher dispatcher)
      throws java.io.IOException, InterruptedException {
    MediaPortStats stats = new MediaPortStats();
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(transport.datagramChannelClass())
        .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
        .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
        .handler(new Classifier(stats, dispatcher));
    if (transport == NettyTransport.EPOLL) {
      // recvmmsg(2): one syscall fills up to DATAGRAMS_PER_READ datagrams. UDP_GRO stays off: on
      // these kernels it merges or truncates datagrams once recvmmsg is on.
      b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
          .option(ChannelOption.RCVBUF_ALLOCATOR,
              new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
    } else {
      b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
    }
    Channel ch = b.bind(address).sync().channel();
    return new MediaPort(ch, stats, transport);
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  public Channel channel() {
    return channel;
  }

  public MediaPortStats stats() {
    return stats;
  }

  /** Whether datagrams are read in batches with recvmmsg(2). */
  public boolean batchedReceive() {
    return transport == NettyTransport.EPOLL;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  @Sharable
  private static final class Classifier extends ChannelInboundHandlerAdapter {
    private final MediaPortStats stats;
    private final DatagramDispatcher dispatcher;

    Classifier(MediaPortStats stats, DatagramDispatcher dispatcher) {
      this.stats = stats;
      this.dispatcher = dispatcher;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      dispatcher.attach(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof DatagramPacket packet)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      PacketClass cls = PacketClass.of(packet.content());
      stats.received(cls, packet.content().readableBytes());
      if (cls == PacketClass.UNKNOWN) {
        packet.release();
        return;
      }
      try {
        dispatcher.dispatch(cls, packet);
      } catch (RuntimeException e) {
        // The dispatcher owned the packet; a bug there must not reach the shared port's pipeline.
        LOG.warn("datagram dispatcher failed", e);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A UDP socket error (e.g. ICMP port unreachable surfacing as ECONNREFUSED) must not close
      // the port that every participant shares.
      LOG.debug("media port error: {}", cause.toString());
    }
  }
}
