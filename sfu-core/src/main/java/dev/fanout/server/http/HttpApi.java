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
 */
public record HttpApi(
    Supplier<Map<String, Object>> health,
    Supplier<byte[]> metricsText,
    String metricsContentType,
    DevTokens devTokens,
    Supplier<io.netty.channel.ChannelHandler> signaling,
    int maxMessageBytes) {

  /** Answers {@code /dev/token?room=&identity=}. */
  @FunctionalInterface
  public interface DevTokens {
    /** Returns a signed token, or throws {@link IllegalArgumentException} for bad parameters. */
    String mint(String room, String identity);
  }
}
