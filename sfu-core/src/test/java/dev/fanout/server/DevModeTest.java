package dev.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.server.auth.DevKey;
import dev.fanout.server.config.FanoutConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class DevModeTest {
  @Test
  void devTokenEndpointMintsTokensTheServerVerifiesAndRejectsBadParameters() throws Exception {
    FanoutConfig c = TestServers.loopbackConfig();
    c.dev = true;
    try (FanoutServer server = FanoutServer.start(c)) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.httpAddress().getPort();
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/dev/token?room=lobby&identity=bob")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      JsonNode body = new ObjectMapper().readTree(ok.body());
      var grant = server.tokens().verify(body.get("token").asText());
      assertThat(grant.room()).isEqualTo("lobby");
      assertThat(grant.identity()).isEqualTo("bob");

      HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/dev/token?room=lobby")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(new ObjectMapper().readTree(missing.body()).get("code").asText()).isEqualTo("INVALID_PARAMS");
    }
  }

  @Test
  void devTokensSurviveARestartBecauseTheDevKeyIsFixed() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String token;
    try (FanoutServer first = FanoutServer.start(devConfigWithoutKeys())) {
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + first.httpAddress().getPort() + "/dev/token?room=lobby&identity=bob")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      token = new ObjectMapper().readTree(ok.body()).get("token").asText();
    }
    try (FanoutServer second = FanoutServer.start(devConfigWithoutKeys())) {
      assertThat(second.tokens().verify(token).identity()).isEqualTo("bob");
    }
  }

  private static FanoutConfig devConfigWithoutKeys() {
    FanoutConfig c = TestServers.loopbackConfig();
    c.keys.clear();
    c.dev = true;
    assertThat(DevKey.applyTo(c)).isTrue();
    assertThat(c.keys).containsExactly(java.util.Map.entry(DevKey.KEY, DevKey.SECRET));
    return c;
  }
}
