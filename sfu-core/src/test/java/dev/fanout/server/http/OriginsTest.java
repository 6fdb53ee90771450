package dev.fanout.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.config.ConfigException;
import dev.fanout.server.config.ConfigLoader;
import dev.fanout.server.config.FanoutConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The origin rule of /rtc and /dev/token, and the CORS headers of what a page may use. */
class OriginsTest {
  private static final String APP = "https://app.example.com";

  @Test
  void theRuleAllowsListedSameOriginAndOriginlessRequests() {
    Origins listed = Origins.of(List.of(APP, "http://localhost:3000/"), false);
    assertThat(listed.allows(APP, "fanout.example.com")).isTrue();
    assertThat(listed.allows("HTTPS://APP.EXAMPLE.COM", "fanout.example.com")).isTrue();
    assertThat(listed.allows("http://localhost:3000", "fanout.example.com")).isTrue();
    assertThat(listed.allows("https://evil.example.com", "fanout.example.com")).isFalse();
    assertThat(listed.allows("https://app.example.com:8443", "fanout.example.com")).isFalse();
    assertThat(listed.allows("null", "fanout.example.com")).isFalse();
    // No Origin: not a page's script.
    assertThat(listed.allows(null, "fanout.example.com")).isTrue();

    Origins none = Origins.of(List.of(), false);
    assertThat(none.allows("http://fanout.example.com:8080", "fanout.example.com:8080")).isTrue();
    assertThat(none.allows("https://fanout.example.com", "fanout.example.com")).isTrue();
    assertThat(none.allows("http://fanout.example.com", "fanout.example.com:80")).isTrue();
    assertThat(none.allows("http://fanout.example.com:8081", "fanout.example.com:8080")).isFalse();
    assertThat(none.allows("http://other.example.com:8080", "fanout.example.com:8080")).isFalse();

    assertThat(Origins.of(List.of(), true).allows("https://anything.example", "x")).isTrue();
    assertThat(Origins.of(List.of("*"), false).allows("https://anything.example", "x")).isTrue();
    // A list given in dev mode is the list.
    assertThat(Origins.of(List.of(APP), true).allows("https://evil.example.com", "x")).isFalse();
  }

  @Test
  void theConfigAcceptsOnlyOriginsAndReadsTheEnvironment() {
    FanoutConfig c = TestServers.loopbackConfig();
    c.http.allowedOrigins = List.of("https://app.example.com/path");
    assertThatThrownBy(c::validate).isInstanceOf(ConfigException.class).hasMessageContaining("allowedOrigins");
    c.http.allowedOrigins = List.of("app.example.com");
    assertThatThrownBy(c::validate).isInstanceOf(ConfigException.class);
    c.http.allowedOrigins = List.of(APP, "http://[::1]:8080", "*");
    c.validate();

    FanoutConfig fromEnv = ConfigLoader.load(null, Map.of("FANOUT_ALLOWED_ORIGINS", APP + ", http://localhost:3000"));
    assertThat(fromEnv.http.allowedOrigins).containsExactly(APP, "http://localhost:3000");

    FanoutConfig small = TestServers.loopbackConfig();
    small.limits.maxOutgoingBytes = 1000;
    assertThatThrownBy(small::validate).isInstanceOf(ConfigException.class).hasMessageContaining("maxOutgoingBytes");
    small.limits.maxOutgoingBytes = 1 << 20;
    small.limits.joinTimeoutSeconds = 0;
    assertThatThrownBy(small::validate).isInstanceOf(ConfigException.class);
  }

  @Test
  void theSdkIsForEveryOriginTokensAndSignalingOnlyForAllowedOnes() throws Exception {
    FanoutConfig c = TestServers.loopbackConfig();
    c.dev = true;
    c.http.allowedOrigins = List.of(APP);
    try (FanoutServer server = FanoutServer.start(c)) {
      String base = "http://127.0.0.1:" + server.httpAddress().getPort();
      HttpClient http = HttpClient.newHttpClient();

      HttpResponse<String> sdk = http.send(HttpRequest.newBuilder(URI.create(base + "/sdk/fanout.js"))
          .header("Origin", "https://evil.example.com").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(sdk.statusCode()).isEqualTo(200);
      assertThat(sdk.headers().firstValue("access-control-allow-origin")).hasValue("*");
      // The modules the entry point imports are fetched with CORS too.
      HttpResponse<String> module = http.send(HttpRequest.newBuilder(URI.create(base + "/sdk/client.js"))
          .header("Origin", "https://evil.example.com").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(module.statusCode()).isEqualTo(200);
      assertThat(module.headers().firstValue("access-control-allow-origin")).hasValue("*");

      HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(base + "/dev/token?room=r&identity=i"))
          .header("Origin", APP).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(token.statusCode()).isEqualTo(200);
      assertThat(token.headers().firstValue("access-control-allow-origin")).hasValue(APP);
      assertThat(token.headers().firstValue("vary")).hasValue("Origin");

      HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/dev/token?room=r&identity=i"))
          .header("Origin", "https://evil.example.com").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("FORBIDDEN_ORIGIN");
      assertThat(refused.headers().firstValue("access-control-allow-origin")).isEmpty();

      InetSocketAddress rtc = new InetSocketAddress("127.0.0.1", server.httpAddress().getPort());
      RawWebSocket.open(rtc, true, 0, APP).close();
      RawWebSocket.open(rtc, true, 0, null).close();
      RawWebSocket.open(rtc, true, 0, base).close();
      assertThatThrownBy(() -> RawWebSocket.open(rtc, true, 0, "https://evil.example.com"))
          .isInstanceOf(RawWebSocket.Refused.class)
          .hasMessageContaining("403")
          .hasMessageContaining("FORBIDDEN_ORIGIN");
    }
  }
}
