package dev.fanout.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.http.RawWebSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The protocol is read strictly (docs/protocol.md §2): the exact version, one JSON object per
 * message, and nothing of an unknown method's name sent back.
 */
class SignalingStrictnessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration T = Duration.ofSeconds(10);

  private FanoutServer server;
  private RawWebSocket ws;

  @BeforeEach
  void start() throws Exception {
    server = FanoutServer.start(TestServers.loopbackConfig());
    ws = RawWebSocket.open(new InetSocketAddress("127.0.0.1", server.httpAddress().getPort()), false, 0, null);
  }

  @AfterEach
  void stop() {
    ws.close();
    server.close();
  }

  private JsonNode answer(String message) throws Exception {
    ws.sendText(message);
    RawWebSocket.Frame f = ws.read(T);
    assertThat(f).as("an answer to " + message).isNotNull();
    assertThat(f.opcode()).as("a text answer to " + message).isEqualTo(1);
    return JSON.readTree(f.text());
  }

  @Test
  void aVersionThatMerelyTruncatesToOneIsUnsupported() throws Exception {
    // 4294967297 = 2^32 + 1: read as a 32-bit int it was 1.
    for (String v : List.of("4294967297", "-4294967295", "18446744073709551617", "1.0", "\"1\"", "true")) {
      JsonNode a = answer("{\"v\":" + v + ",\"id\":7,\"method\":\"ping\"}");
      assertThat(a.path("error").path("code").asText()).as("v=" + v).isEqualTo("UNSUPPORTED_VERSION");
      assertThat(a.path("id").asInt()).isEqualTo(7);
    }
    assertThat(answer("{\"v\":1,\"id\":8,\"method\":\"ping\"}").has("result")).isTrue();
  }

  @Test
  void trailingDataASecondObjectAndRepeatedKeysAreRejectedWhole() throws Exception {
    List<String> bad = List.of(
        "{\"v\":1,\"id\":1,\"method\":\"ping\"} x",
        "{\"v\":1,\"id\":2,\"method\":\"ping\"}{\"v\":1,\"id\":3,\"method\":\"ping\"}",
        "{\"v\":1,\"id\":4,\"method\":\"ping\"}]",
        "{\"v\":1,\"id\":5,\"method\":\"ping\",\"id\":6}");
    List<JsonNode> answers = new ArrayList<>();
    for (String m : bad) {
      answers.add(answer(m));
    }
    for (int i = 0; i < bad.size(); i++) {
      JsonNode a = answers.get(i);
      assertThat(a.path("error").path("code").asText()).as(bad.get(i)).isEqualTo("INVALID_MESSAGE");
      assertThat(a.get("id").isNull()).as("no request of " + bad.get(i) + " was read").isTrue();
      assertThat(a.has("result")).isFalse();
    }
    // Nothing else was answered in between: the next answer is this ping's.
    JsonNode ok = answer("{\"v\":1,\"id\":99,\"method\":\"ping\"}");
    assertThat(ok.path("id").asInt()).isEqualTo(99);
    assertThat(ok.has("result")).isTrue();
  }

  @Test
  void unknownMethodsAreRefusedWithoutEchoingTheirNameBeforeAndAfterJoin() throws Exception {
    String name = "<img src=x onerror=alert(document.cookie)>" + "A".repeat(10_000);
    String request = "{\"v\":1,\"id\":1,\"method\":" + JSON.writeValueAsString(name) + "}";
    ws.sendText(request);
    String before = ws.read(T).text();
    assertThat(JSON.readTree(before).path("error").path("code").asText()).isEqualTo("UNKNOWN_METHOD");
    assertThat(before).doesNotContain("img", "alert", "AAAA");
    assertThat(before.length()).isLessThan(200);

    String token = server.tokens().mint(TestServers.KEY,
        new AccessTokens.Grant("strict", "me", "me", true, true, null), Duration.ofMinutes(5));
    assertThat(answer("{\"v\":1,\"id\":2,\"method\":\"join\",\"params\":{\"token\":\"" + token + "\"}}").has("result"))
        .isTrue();
    ws.sendText(request.replace("\"id\":1", "\"id\":3"));
    String after = ws.read(T).text();
    assertThat(JSON.readTree(after).path("error").path("code").asText()).isEqualTo("UNKNOWN_METHOD");
    assertThat(JSON.readTree(after).path("id").asInt()).isEqualTo(3);
    assertThat(after).doesNotContain("img", "alert", "AAAA");
  }
}
