package dev.fanout.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The HTTP and WebSocket listener: one Netty server channel, a pipeline per connection. */
public final class HttpServer implements AutoCloseable {
  /** The WebSocket signaling path; a query string (e.g. {@code ?access_token=}) is allowed. */
  public static final String RTC_PATH = "/rtc";

  private final Channel serverChannel;
  private final ChannelGroup connections;

  private HttpServer(Channel serverChannel, ChannelGroup connections) {
    this.serverChannel = serverChannel;
    this.connections = connections;
  }

  /** Binds and starts serving; a bind failure is an {@link java.io.IOException}. */
  public static HttpServer bind(
      EventLoopGroup group,
      Class<? extends ServerSocketChannel> channelClass,
      InetSocketAddress address,
      HttpApi api)
      throws java.io.IOException, InterruptedException {
    StaticFiles files = new StaticFiles();
    ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    WebSocketServerProtocolConfig wsConfig = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath(RTC_PATH)
        .checkStartsWith(true)
        .maxFramePayloadLength(api.maxMessageBytes())
        .handleCloseFrames(true)
        // Browsers always negotiate permessage-deflate (the compression handler accepts it);
        // without this the protocol handler rejects their compressed frames (RSV1 set).
        .allowExtensions(true)
        .build();
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(channelClass)
        .option(ChannelOption.SO_BACKLOG, 256)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ChannelPipeline p = ch.pipeline();
            p.addLast("http", new HttpServerCodec(4096, 8192, 8192));
            p.addLast("aggregator", new HttpObjectAggregator(api.maxMessageBytes()));
            p.addLast("ws-compression", new WebSocketServerCompressionHandler(0));
            p.addLast("ws", new WebSocketServerProtocolHandler(wsConfig));
            p.addLast("signaling", api.signaling().get());
            p.addLast("http-api", new HttpHandler(api, files));
          }
        });
    Channel ch = b.bind(address).sync().channel();
    return new HttpServer(ch, connections);
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
