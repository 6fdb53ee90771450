package dev.fanout.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.fanout.client.SignalingClient;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.auth.AccessTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code join} over a real WebSocket with tokens whose claims break the rules (signed with the
 * right secret, as a careless or hostile minter could), and with a {@code room} that is not the
 * token's.
 */
class JoinTokenTest {
  static final Duration T = Duration.ofSeconds(10);

  private FanoutServer server;
  private final List<SignalingClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = FanoutServer.start(TestServers.loopbackConfig());
  }

  @AfterEach
  void stop() {
    clients.forEach(SignalingClient::close);
    server.close();
  }

  private SignalingClient connect() throws Exception {
    SignalingClient ws = SignalingClient.connect(
        URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc"), T);
    clients.add(ws);
    return ws;
  }

  /** A token with these claims (JSON members), signed with the server's key. */
  private static String signed(String members) throws Exception {
    long now = Instant.now().getEpochSecond();
    String json = "{\"iss\":\"" + TestServers.KEY + "\",\"iat\":" + now + "," + members
        + (members.contains("\"exp\"") ? "" : ",\"exp\":" + (now + 600)) + "}";
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(json));
    jws.sign(new MACSigner(TestServers.SECRET.getBytes(StandardCharsets.UTF_8)));
    return jws.serialize();
  }

  private static ObjectNode join(String token, String room) {
    ObjectNode p = SignalingClient.JSON.createObjectNode().put("token", token);
    if (room != null) {
      p.put("room", room);
    }
    return p;
  }

  /** The error of a call expected to fail, as "CODE: message". */
  private static String error(SignalingClient ws, ObjectNode params) throws Exception {
    try {
      ws.call("join", params, T);
    } catch (SignalingClient.SignalingError e) {
      return e.getMessage();
    }
    throw new AssertionError("join succeeded");
  }

  @Test
  void tokensWithLooseClaimsAreUnauthorizedWithTheReason() throws Exception {
    SignalingClient ws = connect();
    long year9999 = Instant.parse("9999-12-31T00:00:00Z").getEpochSecond();
    assertThat(error(ws, join(signed("\"sub\":\"a\",\"room\":\"r\",\"exp\":" + year9999), null)))
        .isEqualTo("UNAUTHORIZED: token lifetime exceeds the maximum of 24h");
    assertThat(error(ws, join(signed("\"sub\":\"a\",\"room\":42"), null)))
        .isEqualTo("UNAUTHORIZED: token claims are invalid: room must be a string, not a number");
    assertThat(error(ws, join(signed("\"sub\":\"a\",\"room\":false"), null)))
        .isEqualTo("UNAUTHORIZED: token claims are invalid: room must be a string, not a boolean");
    assertThat(error(ws, join(signed("\"sub\":7,\"room\":\"r\""), null)))
        .isEqualTo("UNAUTHORIZED: token claims are invalid: identity must be a string, not a number");
    assertThat(error(ws, join(signed("\"sub\":\"   \",\"room\":\"r\""), null)))
        .isEqualTo("UNAUTHORIZED: token claims are invalid: identity must not start with a space");
    assertThat(error(ws, join(signed("\"sub\":\"p\\u0430ypal\",\"room\":\"r\""), null)))
        .startsWith("UNAUTHORIZED: token claims are invalid: identity mixes the scripts Latin and Cyrillic");
    assertThat(error(ws, join(signed("\"sub\":\"a\",\"room\":\"r\",\"name\":\"<b>x</b>\\u202E\\u0000"
        + "y".repeat(5000) + "\""), null)))
        .isEqualTo("UNAUTHORIZED: token claims are invalid: name is longer than 256 characters");
    assertThat(error(ws, join(signed("\"sub\":\"a\",\"room\":\"r\",\"name\":\"Eve\\u202Egnp.exe\""), null)))
        .isEqualTo("UNAUTHORIZED: token claims are invalid: name contains U+202E (a format character), "
            + "which is not printable text");
    assertThat(server.rooms().participantCount()).isZero();

    // The session is still usable, and a name with markup is text like any other.
    var ok = ws.call("join", join(signed("\"sub\":\"a\",\"room\":\"r\",\"name\":\"<b>Al</b> & co\""), null), T);
    assertThat(ok.get("name").asText()).isEqualTo("<b>Al</b> & co");
  }

  @Test
  void aRoomThatIsNotTheTokensIsInvalidParamsAndTheSameRoomJoins() throws Exception {
    String token = server.tokens().mint(TestServers.KEY,
        new AccessTokens.Grant("lobby", "alice", null, true, true, null), Duration.ofMinutes(5));
    SignalingClient ws = connect();
    assertThat(error(ws, join(token, "other")))
        .isEqualTo("INVALID_PARAMS: params.room is not the room of the token ('lobby')");
    // Exact comparison: no trimming, case folding or normalization.
    assertThat(error(ws, join(token, "Lobby"))).startsWith("INVALID_PARAMS: ");
    assertThat(error(ws, join(token, "lobby "))).startsWith("INVALID_PARAMS: ");
    ObjectNode numeric = join(token, null);
    numeric.put("room", 1);
    assertThat(error(ws, numeric)).isEqualTo("INVALID_PARAMS: params.room must be a string");
    assertThat(server.rooms().participantCount()).isZero();

    assertThat(ws.call("join", join(token, "lobby"), T).get("room").asText()).isEqualTo("lobby");
    // Without room the token alone decides, as before.
    String bob = server.tokens().mint(TestServers.KEY,
        new AccessTokens.Grant("lobby", "bob", null, true, true, null), Duration.ofMinutes(5));
    assertThat(connect().call("join", join(bob, null), T).get("identity").asText()).isEqualTo("bob");
  }
}
