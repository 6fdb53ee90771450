package dev.fanout.server.signaling;

import dev.fanout.server.room.ClientConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin Netty adapter between a {@code /rtc} WebSocket and a {@link SignalingSession}: text frames
 * in, text frames out, close and idle timeout mapped to the session's end. It also enforces the
 * connection's deadlines and bounds (docs/protocol.md §1, close statuses in §6): a join within
 * the join timeout, messages within the size limit once inflated, and an outgoing queue the
 * client keeps reading.
 */
public final class WebSocketSignalingHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketSignalingHandler.class);
  /** A client that sends nothing (no message, no WebSocket ping) for this long is removed. */
  public static final int IDLE_TIMEOUT_SECONDS = 30;
  /** Close status: no successful join within the join timeout. */
  public static final int CLOSE_JOIN_TIMEOUT = 4003;
  /** Close status: more than the outgoing limit waited for the client to read it. */
  public static final int CLOSE_TOO_SLOW = 4004;
  /**
   * After a slow reader's close frame is queued, the time it gets to read up to it before the
   * socket is cut without it.
   */
  static final long SLOW_READER_GRACE_MILLIS = 5000;
  /** How long a client has to answer the server's close frame before the connection is cut. */
  static final long CLOSE_REPLY_GRACE_MILLIS = 2000;
  private static final AttributeKey<Boolean> CLOSE_SENT = AttributeKey.valueOf("fanout.closeSent");

  private final Function<ClientConnection, SignalingSession> sessions;
  private final int maxMessageBytes;
  private final Duration joinTimeout;
  private final int maxOutgoingBytes;
  private SignalingSession session;
  private Connection connection;
  private ScheduledFuture<?> joinDeadline;
  private String closeReason = "disconnected";
  /** Set once the slow-reader close started; on the event loop. */
  private boolean closingSlowReader;

  /**
   * @param joinTimeout a connection without a successful join this long after the handshake is
   *     closed with {@link #CLOSE_JOIN_TIMEOUT}
   * @param maxOutgoingBytes the channel's high write-buffer water mark (set by the listener);
   *     past it the connection is closed with {@link #CLOSE_TOO_SLOW}
   */
  public WebSocketSignalingHandler(Function<ClientConnection, SignalingSession> sessions, int maxMessageBytes,
      Duration joinTimeout, int maxOutgoingBytes) {
    this.sessions = sessions;
    this.maxMessageBytes = maxMessageBytes;
    this.joinTimeout = joinTimeout;
    this.maxOutgoingBytes = maxOutgoingBytes;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
      ctx.pipeline().addBefore(ctx.name(), "idle",
          new IdleStateHandler(IDLE_TIMEOUT_SECONDS, 0, 0, TimeUnit.SECONDS));
      connection = new Connection(ctx.channel(), this);
      session = sessions.apply(connection);
      joinDeadline = ctx.executor().schedule(() -> joinDeadlinePassed(ctx), joinTimeout.toMillis(),
          TimeUnit.MILLISECONDS);
    } else if (evt instanceof IdleStateEvent) {
      closeReason = "timeout";
      closeWith(ctx.channel(), 4000, "no message for " + IDLE_TIMEOUT_SECONDS + " s");
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2): the close frame goes after what is queued, and
   * the client's close reply ends the connection (see {@link #onClose}), or
   * {@link #CLOSE_REPLY_GRACE_MILLIS}. Closing as soon as the frame is written would reset a
   * connection whose client is still sending (a ping, a request), and the reset destroys what the
   * client has not read yet, the close status included: a client replaced by another connection
   * of its identity then saw an abnormal closure and reconnected, replacing the other in turn.
   */
  static void closeWith(Channel channel, int status, String reason) {
    closeWith(channel, status, reason, CLOSE_REPLY_GRACE_MILLIS);
  }

  private static void closeWith(Channel channel, int status, String reason, long graceMillis) {
    if (channel.attr(CLOSE_SENT).getAndSet(Boolean.TRUE) != null) {
      return; // one close frame per connection: a second one fails it at the client
    }
    channel.writeAndFlush(new CloseWebSocketFrame(status, reason));
    channel.eventLoop().schedule(() -> channel.close(), graceMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * A close frame from the client: the reply to ours ends the connection; otherwise it is
   * answered with its status, once, and the connection ends (RFC 6455 §5.5.1).
   */
  private static void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    if (ctx.channel().attr(CLOSE_SENT).getAndSet(Boolean.TRUE) != null) {
      ctx.close();
      return;
    }
    int status = close.statusCode();
    CloseWebSocketFrame reply = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, null);
    ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Closes at once after the close frame: for input that cannot be read further (an oversized or
   * undecodable frame), where waiting for the client's reply would mean reading more of it.
   */
  private static void closeNow(ChannelHandlerContext ctx, int status, String reason) {
    ctx.channel().attr(CLOSE_SENT).set(Boolean.TRUE);
    ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  private void joinDeadlinePassed(ChannelHandlerContext ctx) {
    joinDeadline = null;
    if (session == null || session.hasJoined() || !ctx.channel().isActive()) {
      return;
    }
    closeWith(ctx.channel(), CLOSE_JOIN_TIMEOUT, "no join within " + joinTimeout.toSeconds() + " s");
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (!ctx.channel().isWritable() && connection != null) {
      connection.dropping = true;
      tooSlow(ctx.channel());
    }
    super.channelWritabilityChanged(ctx);
  }

  /**
   * The client left more than {@code maxOutgoingBytes} unread: it leaves its room now and later
   * messages are dropped, so the queue stops growing. The close frame goes after what is queued;
   * a client that does not read that far within the grace is cut without it. On the channel's
   * event loop.
   */
  private void tooSlow(Channel channel) {
    if (closingSlowReader || !channel.isActive()) {
      return;
    }
    closingSlowReader = true;
    LOG.info("closing {}: more than {} bytes waited to be read", channel.remoteAddress(), maxOutgoingBytes);
    closeReason = "disconnected";
    endSession();
    // A longer grace than closeWith's: the frame waits behind the megabyte the client left unread.
    closeWith(channel, CLOSE_TOO_SLOW, "more than " + maxOutgoingBytes + " bytes waited to be read",
        SLOW_READER_GRACE_MILLIS);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame close) {
      onClose(ctx, close);
      return;
    }
    if (session == null) {
      return;
    }
    if (frame.content().readableBytes() > maxMessageBytes) {
      // A single compressed frame is bounded by the inflater's allocation limit, which has a
      // little slack; the message limit itself is exact.
      exceptionCaught(ctx, new TooLongFrameException("message larger than " + maxMessageBytes + " bytes"));
      return;
    }
    if (frame instanceof TextWebSocketFrame text) {
      session.onMessage(text.text());
    } else {
      // Binary frames are not part of the protocol.
      connection.send(SignalingCodec.error(null, ErrorCode.INVALID_MESSAGE, "only text frames carry messages"));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    endSession();
    super.channelInactive(ctx);
  }

  private void endSession() {
    if (joinDeadline != null) {
      joinDeadline.cancel(false);
      joinDeadline = null;
    }
    if (session != null) {
      session.onClose(closeReason);
      session = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    int status = closeStatus(cause);
    if (status == 1009) {
      closeReason = "message too large";
      closeNow(ctx, 1009, "message larger than " + maxMessageBytes + " bytes");
      return;
    }
    if (status == 1007) {
      closeNow(ctx, 1007, "invalid compressed data");
      return;
    }
    ctx.close();
  }

  /** The close status an inbound failure maps to (RFC 6455 §7.4.1), or 0 for a plain close. */
  static int closeStatus(Throwable cause) {
    if (cause instanceof TooLongFrameException
        || cause instanceof CorruptedWebSocketFrameException c && c.closeStatus().code() == 1009) {
      return 1009;
    }
    if (cause instanceof DecompressionException) {
      // The inflater stopped at its allocation limit (no cause), or the data was not valid
      // deflate (a DataFormatException cause).
      return cause.getCause() instanceof java.util.zip.DataFormatException ? 1007 : 1009;
    }
    return 0;
  }

  private static final class Connection implements ClientConnection {
    private final Channel channel;
    private final WebSocketSignalingHandler handler;
    /** Set once the client is found reading too slowly: later messages are dropped. */
    private volatile boolean dropping;

    Connection(Channel channel, WebSocketSignalingHandler handler) {
      this.channel = channel;
      this.handler = handler;
    }

    @Override
    public void send(String message) {
      if (dropping) {
        return;
      }
      // The write-buffer count includes writes still queued from other threads, so this sees a
      // client that stopped reading even while the room's loop is the one producing.
      if (!channel.isWritable() && channel.isActive()) {
        dropping = true;
        channel.eventLoop().execute(() -> handler.tooSlow(channel));
        return;
      }
      channel.writeAndFlush(new TextWebSocketFrame(message));
    }

    @Override
    public void close(int status, String reason) {
      closeWith(channel, status, reason);
    }

    @Override
    public String describe() {
      return String.valueOf(channel.remoteAddress());
    }
  }
}
