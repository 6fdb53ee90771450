package dev.fanout.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code /rtc} handler until signaling exists: answers a JSON {@code ping} with a
 * {@code pong} and everything else with an error. WebSocket ping frames are answered by Netty.
 */
public final class PingOnlySignaling extends SimpleChannelInboundHandler<WebSocketFrame> {
  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
    if (!(frame instanceof TextWebSocketFrame text)) {
      return;
    }
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("v", 1);
    JsonNode msg;
    try {
      msg = HttpHandler.JSON.readTree(text.text());
    } catch (Exception e) {
      msg = null;
    }
    if (msg != null && msg.path("type").asText().equals("ping")) {
      reply.put("type", "pong");
      if (msg.has("id")) {
        reply.put("id", msg.get("id"));
      }
    } else {
      reply.put("type", "error");
      reply.put("code", "NOT_IMPLEMENTED");
      reply.put("message", "only ping is supported by this server");
    }
    ctx.writeAndFlush(new TextWebSocketFrame(HttpHandler.JSON.writeValueAsString(reply)));
  }
}
