package dev.fanout.server.http;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What the HTTP endpoints need from the rest of the server, so the HTTP layer knows nothing of
 * rooms or transports.
 *
 * @param health the body of {@code /healthz}
 * @param metricsText the body of {@code /metrics} in Prometheus text format
 * @param metricsContentType its content type
 * @param devTokens mints {@code /dev/token} answers; null outside dev mode (404)
 * @param signaling creates the handler of one {@code /rtc} WebSocket
 * @param maxMessageBytes the largest HTTP body or WebSocket message accepted
 * @param roomService answers {@code POST /twirp/fanout.RoomService/<Method>}; null: 404
 */
public record HttpApi(
    Supplier<Map<String, Object>> health,
    Supplier<byte[]> metricsText,
    String metricsContentType,
    DevTokens devTokens,
    Supplier<io.netty.channel.ChannelHandler> signaling,
    int maxMessageBytes,
    Rpc roomService) {

  /** The path prefix of the room service's methods. */
  public static final String ROOM_SERVICE_PREFIX = "/twirp/fanout.RoomService/";

  /** One JSON-over-POST method call. */
  @FunctionalInterface
  public interface Rpc {
    /** Calls {@code method}; the future never fails (errors are answers too). */
    java.util.concurrent.CompletableFuture<RpcResponse> call(String method, String authorization, byte[] body);
  }

  /** An HTTP status and a JSON body. */
  public record RpcResponse(int status, byte[] json) {}

  /** Answers {@code /dev/token?room=&identity=}. */
  @FunctionalInterface
  public interface DevTokens {
    /** Returns a signed token, or throws {@link IllegalArgumentException} for bad parameters. */
    String mint(String room, String identity);
  }
}
