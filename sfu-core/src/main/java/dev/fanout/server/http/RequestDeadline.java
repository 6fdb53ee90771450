package dev.fanout.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handshake deadline: a connection must deliver a complete HTTP request (a WebSocket
 * upgrade is one) within {@code timeoutMillis} of opening, and again within that of each
 * keep-alive response. Otherwise it is closed, with a {@code 408} when part of a request had
 * arrived, so neither silent connections nor slowly dribbled headers (slowloris) hold a file
 * descriptor for long. Once the
 * connection is upgraded to a WebSocket this handler removes itself; the signaling handler's
 * join deadline takes over.
 *
 * <p>Sits after the aggregator, so it sees whole requests, and before the WebSocket handler, so
 * it sees the {@code 101} that ends HTTP on this connection; its {@link #bytesSeen} part sits in
 * front of the HTTP codec and tells it when bytes of a request have arrived.
 */
final class RequestDeadline extends ChannelDuplexHandler {
  /** The pipeline name of {@link #bytesSeen}. */
  static final String BYTES_SEEN = "request-bytes";
  private final long timeoutMillis;
  private ScheduledFuture<?> timer;
  /** Bytes arrived since the last complete request: a request is under way. */
  private boolean partial;

  RequestDeadline(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  /** The handler to put in front of the HTTP codec: it notes that request bytes arrived. */
  ChannelInboundHandlerAdapter bytesSeen() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        partial = true;
        ctx.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    arm(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof FullHttpRequest) {
      partial = false;
      disarm();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse res && res.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
      disarm();
      ctx.pipeline().remove(this);
      ctx.pipeline().remove(BYTES_SEEN);
    } else if (msg instanceof LastHttpContent) {
      // A response ended: the next request (keep-alive) has its own deadline.
      arm(ctx);
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }

  private void arm(ChannelHandlerContext ctx) {
    if (timer == null && ctx.channel().isActive()) {
      timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!partial) {
      // Idle (never used, or between keep-alive requests): nothing to answer (RFC 9112 §9.3).
      ctx.close();
      return;
    }
    // RFC 9110 §15.5.9: 408 tells the client the server closes an unfinished request.
    FullHttpResponse res = HttpHandler.error(HttpResponseStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT",
        "no complete request within " + timeoutMillis + " ms");
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    // Closed at once, not when the write completes: a client that stopped reading (its window
    // full of earlier responses) would otherwise keep the connection by never taking the 408.
    ctx.writeAndFlush(res);
    ctx.close();
  }
}
