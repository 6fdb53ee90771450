package dev.fanout.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Refuses a WebSocket upgrade at {@code /rtc} from a page whose origin is not allowed
 * ({@link Origins}) with {@code 403}, before the handshake. Browsers send {@code Origin} on
 * every WebSocket (RFC 6455 §4.1, item 8), so this is what keeps other sites' pages off.
 */
@ChannelHandler.Sharable
final class WebSocketOriginCheck extends ChannelInboundHandlerAdapter {
  private final Origins origins;

  WebSocketOriginCheck(Origins origins) {
    this.origins = origins;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest req && isRtcPath(req.uri())) {
      String origin = req.headers().get(HttpHeaderNames.ORIGIN);
      if (!origins.allows(origin, req.headers().get(HttpHeaderNames.HOST))) {
        req.release();
        FullHttpResponse res = HttpHandler.error(HttpResponseStatus.FORBIDDEN, "FORBIDDEN_ORIGIN",
            "pages of origin " + HttpHandler.printable(origin) + " may not use " + HttpServer.RTC_PATH
                + "; add it to http.allowedOrigins");
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(res, res.content().readableBytes());
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The paths the WebSocket handler upgrades: {@code /rtc}, {@code /rtc/…}, with any query. */
  static boolean isRtcPath(String uri) {
    String path = new QueryStringDecoder(uri).path();
    return path.equals(HttpServer.RTC_PATH) || path.startsWith(HttpServer.RTC_PATH + "/");
  }
}
