package dev.fanout.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain HTTP endpoints: {@code /healthz}, {@code /metrics}, {@code /dev/token}, and the static
 * SDK and demo. WebSocket upgrades at {@code /rtc} are taken by the handler in front of this one.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpApi api;
  private final StaticFiles files;

  HttpHandler(HttpApi api, StaticFiles files) {
    this.api = api;
    this.files = files;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      send(ctx, req, error(HttpResponseStatus.BAD_REQUEST, "BAD_REQUEST", "malformed HTTP request"));
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    boolean head = req.method().equals(HttpMethod.HEAD);
    if (!req.method().equals(HttpMethod.GET) && !head) {
      send(ctx, req, error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
          req.method() + " is not allowed on " + path));
      return;
    }
    FullHttpResponse res;
    switch (path) {
      case "/healthz" -> res = json(HttpResponseStatus.OK, api.health().get());
      case "/metrics" -> res = bytes(HttpResponseStatus.OK, api.metricsText().get(), api.metricsContentType());
      case "/dev/token" -> res = devToken(uri);
      default -> {
        StaticFiles.Asset asset = files.find(path);
        res = asset == null
            ? error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such resource: " + path)
            : bytes(HttpResponseStatus.OK, asset.bytes(), asset.contentType());
        if (asset != null) {
          res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        }
      }
    }
    if (head) {
      res.content().clear();
    }
    send(ctx, req, res);
  }

  private FullHttpResponse devToken(QueryStringDecoder uri) {
    if (api.devTokens() == null) {
      return error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "/dev/token exists only in dev mode");
    }
    String room = first(uri.parameters().get("room"));
    String identity = first(uri.parameters().get("identity"));
    try {
      String token = api.devTokens().mint(room, identity);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("token", token);
      body.put("room", room);
      body.put("identity", identity);
      return json(HttpResponseStatus.OK, body);
    } catch (IllegalArgumentException e) {
      return error(HttpResponseStatus.BAD_REQUEST, "INVALID_PARAMS", e.getMessage());
    } catch (UnsupportedOperationException e) {
      return error(HttpResponseStatus.NOT_IMPLEMENTED, "NOT_IMPLEMENTED", e.getMessage());
    }
  }

  private static String first(List<String> values) {
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    return json(status, body);
  }

  static FullHttpResponse json(HttpResponseStatus status, Object body) {
    try {
      return bytes(status, JSON.writeValueAsBytes(body), "application/json");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a response", e);
    }
  }

  static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String contentType) {
    ByteBuf content = Unpooled.wrappedBuffer(body);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    return res;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
