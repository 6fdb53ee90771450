package dev.fanout.server.signaling;

import dev.fanout.server.room.ClientConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Thin Netty adapter between a {@code /rtc} WebSocket and a {@link SignalingSession}: text frames
 * in, text frames out, close and idle timeout mapped to the session's end.
 */
public final class WebSocketSignalingHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  /** A client that sends nothing (no message, no WebSocket ping) for this long is removed. */
  public static final int IDLE_TIMEOUT_SECONDS = 30;

  private final Function<ClientConnection, SignalingSession> sessions;
  private final int maxMessageBytes;
  private SignalingSession session;
  private String closeReason = "disconnected";

  public WebSocketSignalingHandler(Function<ClientConnection, SignalingSession> sessions, int maxMessageBytes) {
    this.sessions = sessions;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
      ctx.pipeline().addBefore(ctx.name(), "idle",
          new IdleStateHandler(IDLE_TIMEOUT_SECONDS, 0, 0, TimeUnit.SECONDS));
      session = sessions.apply(new Connection(ctx.channel()));
    } else if (evt instanceof IdleStateEvent) {
      closeReason = "timeout";
      ctx.writeAndFlush(new CloseWebSocketFrame(4000, "no message for " + IDLE_TIMEOUT_SECONDS + " s"))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (session == null) {
      return;
    }
    if (frame instanceof TextWebSocketFrame text) {
      session.onMessage(text.text());
    } else if (!(frame instanceof CloseWebSocketFrame)) {
      // Binary frames are not part of the protocol.
      ctx.writeAndFlush(new TextWebSocketFrame(SignalingCodec.error(null, ErrorCode.INVALID_MESSAGE,
          "only text frames carry messages")));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (session != null) {
      session.onClose(closeReason);
      session = null;
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof io.netty.handler.codec.TooLongFrameException
        || cause instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException c
            && c.closeStatus().code() == 1009) {
      closeReason = "message too large";
      ctx.writeAndFlush(new CloseWebSocketFrame(1009, "message larger than " + maxMessageBytes + " bytes"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.close();
  }

  private static final class Connection implements ClientConnection {
    private final Channel channel;

    Connection(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void send(String message) {
      channel.writeAndFlush(new TextWebSocketFrame(message));
    }

    @Override
    public void close(int status, String reason) {
      channel.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public String describe() {
      return String.valueOf(channel.remoteAddress());
    }
  }
}
