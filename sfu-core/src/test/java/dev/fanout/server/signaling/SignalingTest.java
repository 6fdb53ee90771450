package dev.fanout.server.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.client.SignalingClient;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.config.FanoutConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The signaling protocol over a real WebSocket: join, events, leave and every error case. */
class SignalingTest {
  static final String KEY = "k";
  static final String SECRET = "0123456789abcdef0123456789abcdef-signal";
  static final Duration T = Duration.ofSeconds(5);

  private FanoutServer server;
  private final List<SignalingClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    FanoutConfig c = new FanoutConfig();
    c.http.bind = "127.0.0.1";
    c.http.port = 0;
    c.media.bind = "127.0.0.1";
    c.media.port = 0;
    c.keys.put(KEY, SECRET);
    c.limits.maxParticipantsPerRoom = 3;
    server = FanoutServer.start(c);
  }

  @AfterEach
  void stop() {
    clients.forEach(SignalingClient::close);
    server.close();
  }

  record Event(String name, JsonNode data) {}

  private final class Peer {
    final SignalingClient ws;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    Peer() throws Exception {
      ws = SignalingClient.connect(URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc"), T);
      ws.onEvent((n, d) -> events.add(new Event(n, d)));
      clients.add(ws);
    }

    JsonNode join(String room, String identity) throws Exception {
      return ws.call("join", params("token", token(room, identity, true, true)), T);
    }

    Event next(String name) throws InterruptedException {
      long deadline = System.nanoTime() + T.toNanos();
      while (System.nanoTime() < deadline) {
        Event e = events.poll(50, TimeUnit.MILLISECONDS);
        if (e != null && e.name().equals(name)) {
          return e;
        }
      }
      throw new AssertionError("no " + name + " event within " + T);
    }
  }

  String token(String room, String identity, boolean pub, boolean sub) {
    return server.tokens().mint(KEY, new AccessTokens.Grant(room, identity, identity + " N", pub, sub, null), Duration.ofMinutes(5));
  }

  static ObjectNode params(String... kv) {
    ObjectNode o = SignalingClient.JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      o.put(kv[i], kv[i + 1]);
    }
    return o;
  }

  private static String errorCode(ThrowingCall call) {
    try {
      call.run();
    } catch (SignalingClient.SignalingError e) {
      return e.code();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected an error response");
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void joinReturnsIdentityGrantsAndOthersAndTellsOthers() throws Exception {
    Peer alice = new Peer();
    JsonNode a = alice.join("r1", "alice");
    assertThat(a.get("room").asText()).isEqualTo("r1");
    assertThat(a.get("identity").asText()).isEqualTo("alice");
    assertThat(a.get("name").asText()).isEqualTo("alice N");
    assertThat(a.at("/grants/canPublish").asBoolean()).isTrue();
    assertThat(a.get("participants")).isEmpty();

    Peer bob = new Peer();
    JsonNode b = bob.join("r1", "bob");
    assertThat(b.get("participants")).hasSize(1);
    assertThat(b.at("/participants/0/identity").asText()).isEqualTo("alice");
    Event joined = alice.next("participant-joined");
    assertThat(joined.data().at("/participant/identity").asText()).isEqualTo("bob");
    assertThat(server.rooms().participantCount()).isEqualTo(2);

    bob.ws.call("leave", null, T);
    Event left = alice.next("participant-left");
    assertThat(left.data().get("identity").asText()).isEqualTo("bob");
    assertThat(left.data().get("reason").asText()).isEqualTo("left");
  }

  @Test
  void closedSocketRemovesTheParticipantAndEmptyRoomCloses() throws Exception {
    Peer alice = new Peer();
    alice.join("r2", "alice");
    Peer bob = new Peer();
    bob.join("r2", "bob");
    bob.ws.abort();
    Event left = alice.next("participant-left");
    assertThat(left.data().get("identity").asText()).isEqualTo("bob");
    assertThat(left.data().get("reason").asText()).isEqualTo("disconnected");
    alice.ws.call("leave", null, T);
    long deadline = System.nanoTime() + T.toNanos();
    while (server.rooms().roomCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.rooms().roomCount()).isZero();
    assertThat(server.rooms().participantCount()).isZero();
  }

  @Test
  void sameIdentityJoiningAgainReplacesTheOldConnection() throws Exception {
    Peer watcher = new Peer();
    watcher.join("r3", "watcher");
    Peer first = new Peer();
    first.join("r3", "alice");
    Peer second = new Peer();
    second.join("r3", "alice");
    assertThat(first.ws.closed().get(5, TimeUnit.SECONDS)).isEqualTo(4001);
    assertThat(watcher.next("participant-left").data().get("reason").asText()).isEqualTo("replaced");
    assertThat(watcher.next("participant-joined").data().at("/participant/identity").asText()).isEqualTo("alice");
    assertThat(server.rooms().participantCount()).isEqualTo(2);
  }

  @Test
  void fullRoomRejectsTheNextParticipant() throws Exception {
    for (String id : List.of("a", "b", "c")) {
      new Peer().join("r4", id);
    }
    Peer d = new Peer();
    assertThat(errorCode(() -> d.join("r4", "d"))).isEqualTo("ROOM_FULL");
    // The rejected connection may still join another room.
    assertThat(d.join("r5", "d").get("room").asText()).isEqualTo("r5");
  }

  @Test
  void badTokensAreUnauthorized() throws Exception {
    Peer p = new Peer();
    assertThat(errorCode(() -> p.ws.call("join", params("token", "nope"), T))).isEqualTo("UNAUTHORIZED");
    String foreign = new AccessTokens(java.util.Map.of(KEY, SECRET + "x"), java.time.Clock.systemUTC())
        .mint(KEY, new AccessTokens.Grant("r", "i", null, true, true, null), Duration.ofMinutes(1));
    assertThat(errorCode(() -> p.ws.call("join", params("token", foreign), T))).isEqualTo("UNAUTHORIZED");
    assertThat(errorCode(() -> p.ws.call("join", params(), T))).isEqualTo("INVALID_PARAMS");
    // Still usable afterwards.
    assertThat(p.join("r6", "i").get("identity").asText()).isEqualTo("i");
  }

  @Test
  void methodsBeforeJoinAndDoubleJoinAreRejected() throws Exception {
    Peer p = new Peer();
    assertThat(errorCode(() -> p.ws.call("leave", null, T))).isEqualTo("NOT_JOINED");
    assertThat(p.ws.call("ping", null, T).isObject()).isTrue();
    p.join("r7", "x");
    assertThat(errorCode(() -> p.join("r7", "y"))).isEqualTo("ALREADY_JOINED");
    assertThat(errorCode(() -> p.ws.call("fly", null, T))).isEqualTo("UNKNOWN_METHOD");
  }

  @Test
  void malformedMessagesGetTypedErrorsAndTheSessionSurvives() throws Exception {
    Peer p = new Peer();
    List<String> codes = new ArrayList<>();
    BlockingQueue<Event> errors = p.events;
    for (String bad : List.of("not json", "[1,2]", "{\"v\":1,\"method\":\"ping\"}",
        "{\"v\":2,\"id\":1,\"method\":\"ping\"}", "{\"v\":1,\"id\":{},\"method\":\"ping\"}",
        "{\"v\":1,\"id\":3,\"method\":5}", "{\"v\":1,\"id\":4,\"method\":\"join\",\"params\":[]}",
        "{".repeat(100))) {
      p.ws.sendRaw(bad);
    }
    // Errors without an id come as events named "error"; with an id they fail the (absent) request.
    Thread.sleep(300);
    errors.forEach(e -> codes.add(e.data().get("code").asText()));
    assertThat(codes).contains("INVALID_MESSAGE");
    assertThat(p.ws.call("ping", null, T).isObject()).isTrue();
    assertThat(p.join("r8", "z").get("identity").asText()).isEqualTo("z");
  }

  @Test
  void muteOfAnUnknownTrackIsTrackNotFound() throws Exception {
    Peer p = new Peer();
    p.join("r9", "m");
    ObjectNode mute = params("trackId", "TR_nope");
    mute.put("muted", true);
    assertThat(errorCode(() -> p.ws.call("mute", mute, T))).isEqualTo("TRACK_NOT_FOUND");
    assertThat(errorCode(() -> p.ws.call("mute", params("trackId", "x"), T))).isEqualTo("INVALID_PARAMS");
  }

  @Test
  void oversizedMessageClosesTheConnectionWithStatus1009() throws Exception {
    Peer p = new Peer();
    p.ws.sendRaw("{\"v\":1,\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + "a".repeat(70_000) + "\"}}");
    assertThat(p.ws.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1009);
    assertThatThrownBy(() -> p.ws.call("ping", null, Duration.ofMillis(500))).isInstanceOf(Exception.class);
  }
}
