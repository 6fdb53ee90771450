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
 * Plain HTTP endpoints: {@code /healthz}, {@code /metrics}, {@code /dev/token}, the room service
 * ({@code POST /twirp/fanout.RoomService/…}), and the static
 * SDK and demo. WebSocket upgrades at {@code /rtc} are taken by the handler in front of this one.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpApi api;
  private final StaticFiles files;
  private final Origins origins;

  HttpHandler(HttpApi api, StaticFiles files, Origins origins) {
    this.api = api;
    this.files = files;
    this.origins = origins;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      send(ctx, req, error(HttpResponseStatus.BAD_REQUEST, "BAD_REQUEST", "malformed HTTP request"));
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    if (path.startsWith(HttpApi.ROOM_SERVICE_PREFIX) && api.roomService() != null) {
      roomService(ctx, req, path.substring(HttpApi.ROOM_SERVICE_PREFIX.length()));
      return;
    }
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
      case "/dev/token" -> res = devToken(req, uri);
      default -> {
        StaticFiles.Asset asset = files.find(path);
        res = asset == null
            ? error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such resource: " + path)
            : bytes(HttpResponseStatus.OK, asset.bytes(), asset.contentType());
        if (asset != null) {
          res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
          if (path.startsWith("/sdk/")) {
            // The SDK is a public script: any site may import it (module scripts are fetched
            // with CORS). What it can then do is decided by /rtc's and /dev/token's origin rule.
            res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
          }
        }
      }
    }
    if (head) {
      res.content().clear();
    }
    send(ctx, req, res);
  }

  /** A room service call: answered when the room's loop has done the work. */
  private void roomService(ChannelHandlerContext ctx, FullHttpRequest req, String method) {
    if (!req.method().equals(HttpMethod.POST)) {
      send(ctx, req, error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
          "room service methods are called with POST"));
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
    api.roomService().call(method, req.headers().get(HttpHeaderNames.AUTHORIZATION), body).thenAccept(r ->
        ctx.executor().execute(() -> send(ctx, keepAlive,
            bytes(HttpResponseStatus.valueOf(r.status()), r.json(), "application/json"))));
  }

  private FullHttpResponse devToken(FullHttpRequest req, QueryStringDecoder uri) {
    if (api.devTokens() == null) {
      return error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "/dev/token exists only in dev mode");
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (!origins.allows(origin, req.headers().get(HttpHeaderNames.HOST))) {
      return error(HttpResponseStatus.FORBIDDEN, "FORBIDDEN_ORIGIN",
          "pages of origin " + printable(origin) + " may not fetch tokens; add it to http.allowedOrigins");
    }
    FullHttpResponse res = mintDevToken(uri);
    if (origin != null) {
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      res.headers().set(HttpHeaderNames.VARY, "Origin");
    }
    return res;
  }

  private FullHttpResponse mintDevToken(QueryStringDecoder uri) {
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

  /** A header value fit to quote in a message: printable ASCII, at most 100 characters. */
  static String printable(String value) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < value.length() && b.length() < 100; i++) {
      char c = value.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return "'" + b + "'";
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
    send(ctx, HttpUtil.isKeepAlive(req), res);
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
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
