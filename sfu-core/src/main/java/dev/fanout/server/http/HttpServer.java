package dev.fanout.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The HTTP and WebSocket listener: one Netty server channel, a pipeline per connection. */
public final class HttpServer implements AutoCloseable {
  /** The WebSocket signaling path; a query string (e.g. {@code ?access_token=}) is allowed. */
  public static final String RTC_PATH = "/rtc";
  /** Bytes an inflating message may pass the message limit by before the inflater stops. */
  static final int INFLATE_SLACK = 1024;
  /** How long a refused connection is read (and dropped) after its answer, at most. */
  static final long REFUSAL_LINGER_MILLIS = 1000;

  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final ConnectionLimits limits;

  private HttpServer(Channel serverChannel, ChannelGroup connections, ConnectionLimits limits) {
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.limits = limits;
  }

  /** Binds and starts serving; a bind failure is an {@link java.io.IOException}. */
  public static HttpServer bind(
      EventLoopGroup group,
      Class<? extends ServerSocketChannel> channelClass,
      InetSocketAddress address,
      HttpApi api,
      HttpLimits httpLimits,
      Origins origins)
      throws java.io.IOException, InterruptedException {
    StaticFiles files = new StaticFiles();
    ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    ConnectionLimits limits = new ConnectionLimits(httpLimits.maxConnections(), httpLimits.maxConnectionsPerAddress());
    WebSocketOriginCheck originCheck = new WebSocketOriginCheck(origins);
    long handshakeMillis = httpLimits.handshakeTimeout().toMillis();
    WebSocketServerProtocolConfig wsConfig = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath(RTC_PATH)
        .checkStartsWith(true)
        .maxFramePayloadLength(api.maxMessageBytes())
        // WebSocketSignalingHandler answers close frames: Netty's handler would answer the reply
        // to our own close with a second close frame, which browsers take as a failure.
        .handleCloseFrames(false)
        .handshakeTimeoutMillis(handshakeMillis)
        // Browsers always negotiate permessage-deflate (the compression handler accepts it);
        // without this the protocol handler rejects their compressed frames (RSV1 set).
        .allowExtensions(true)
        .build();
    int maxOut = httpLimits.maxOutgoingBytes();
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(channelClass)
        // Room for a burst of connects while the loops are busy refusing a flood; the kernel caps
        // it at net.core.somaxconn.
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // Past the high mark a channel turns unwritable: the signaling handler closes a WebSocket
        // whose client reads too slowly there, so its queue never grows past maxOutgoingBytes.
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(maxOut / 2, maxOut))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            ConnectionLimits.Admission admission = limits.admit(ch.remoteAddress());
            if (admission instanceof ConnectionLimits.Refusal refusal) {
              p.addLast("http", new HttpResponseEncoder());
              boolean linger = limits.tryLinger();
              if (linger) {
                ch.closeFuture().addListener(f -> limits.endLinger());
              }
              p.addLast("refuse", new Refusing(refusal, linger));
              return;
            }
            ConnectionLimits.Ticket ticket = (ConnectionLimits.Ticket) admission;
            ch.closeFuture().addListener(f -> ticket.release());
            connections.add(ch);
            RequestDeadline deadline = new RequestDeadline(handshakeMillis);
            p.addLast(RequestDeadline.BYTES_SEEN, deadline.bytesSeen());
            p.addLast("http", new HttpServerCodec(4096, 8192, 8192));
            p.addLast("aggregator", new HttpObjectAggregator(api.maxMessageBytes()));
            p.addLast("deadline", deadline);
            // maxAllocation caps what one compressed frame may inflate to: the decoder stops and
            // fails once its output would pass the message limit, instead of inflating a small
            // frame into gigabytes first (RFC 7692 leaves the ratio to the receiver). The slack
            // lets a message of exactly the limit finish its last block; the signaling handler
            // checks the exact limit.
            p.addLast("ws-compression", new WebSocketServerCompressionHandler(api.maxMessageBytes() + INFLATE_SLACK));
            p.addLast("origin", originCheck);
            p.addLast("ws", new WebSocketServerProtocolHandler(wsConfig));
            p.addLast("signaling", api.signaling().get());
            p.addLast("http-api", new HttpHandler(api, files, origins));
          }
        });
    Channel ch = b.bind(address).sync().channel();
    return new HttpServer(ch, connections, limits);
  }

  /** Open connections and refusals of the caps, for health and metrics. */
  public ConnectionLimits connectionLimits() {
    return limits;
  }

  /**
   * Answers a connection past a cap at once, without waiting for its request, and closes it: the
   * client gets a clear status instead of a socket that hangs. Closing a socket with unread input
   * resets it (RFC 9293 §3.6.1), and a reset may destroy the answer before the client reads it;
   * so, while few refused connections linger, the answer is followed by a FIN and what the
   * client sends is read and dropped until it closes, or {@link #REFUSAL_LINGER_MILLIS} pass.
   */
  private static final class Refusing extends ChannelInboundHandlerAdapter {
    private final ConnectionLimits.Refusal refusal;
    private final boolean linger;

    Refusing(ConnectionLimits.Refusal refusal, boolean linger) {
      this.refusal = refusal;
      this.linger = linger;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      FullHttpResponse res = HttpHandler.error(HttpResponseStatus.valueOf(refusal.status()), refusal.code(),
          refusal.message());
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "10");
      HttpUtil.setContentLength(res, res.content().readableBytes());
      if (!linger) {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      ctx.writeAndFlush(res).addListener(f -> {
        if (f.isSuccess() && ctx.channel() instanceof SocketChannel sc) {
          sc.shutdownOutput();
        } else {
          ctx.close();
        }
      });
      ctx.executor().schedule(() -> ctx.close(), REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      // Whatever the client sent is not read: it is past a cap.
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /**
   * Stops accepting, then gives open connections up to {@code graceMillis} to finish what they
   * are writing before closing them.
   */
  public void close(long graceMillis) {
    serverChannel.close().syncUninterruptibly();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    // In-flight responses are already queued on their event loops; flushing then closing lets them
    // go out. WebSocket peers get a normal close frame from the signaling handler's channelInactive.
    connections.flush();
    connections.close().awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
  }

  @Override
  public void close() {
    close(1000);
  }
}
