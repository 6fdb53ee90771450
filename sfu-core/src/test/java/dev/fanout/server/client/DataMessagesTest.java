package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.RoomServiceClient;
import dev.fanout.client.SignalingClient;
import dev.fanout.client.SignalingClient.SignalingError;
import dev.fanout.server.auth.AccessTokens.AdminGrant;
import dev.fanout.server.room.DataLimit;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Data messages over signaling ({@code send-data} and the room service's {@code SendData};
 * docs/protocol.md): who gets them, what a malformed or oversized one gets back, and that a
 * flooding sender is limited while the others in its room are not.
 */
class DataMessagesTest {
  private static final Duration T = Duration.ofSeconds(20);
  private ClientHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ClientHarness();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  /** The {@code data} events a client receives, as "from:text" ("server:text" when sent by the API). */
  private static List<String> received(FanoutClient c) {
    List<String> out = new CopyOnWriteArrayList<>();
    c.onEvent((name, data) -> {
      if (name.equals("data")) {
        out.add(data.path("from").asText("server") + ":"
            + new String(Base64.getDecoder().decode(data.path("payload").asText()), StandardCharsets.UTF_8));
      }
    });
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMessageReachesEveryoneElseOrOnlyThoseNamedAndNeverItsSender() throws Exception {
    FanoutClient alice = h.join("r", "alice");
    FanoutClient bob = h.join("r", "bob");
    FanoutClient carol = h.join("r", "carol");
    List<String> atAlice = received(alice);
    List<String> atBob = received(bob);
    List<String> atCarol = received(carol);

    assertThat(alice.sendData(utf8("hello, 世界"))).isEqualTo(2);
    ClientHarness.await("bob and carol get alice's message", T,
        () -> atBob.contains("alice:hello, 世界") && atCarol.contains("alice:hello, 世界"));
    // The server sends to everyone before it answers on the same connection: an echo would be here.
    assertThat(atAlice).isEmpty();

    // Named recipients only; a name not in the room is skipped, and so is the sender.
    assertThat(alice.sendData(utf8("just carol"), "carol", "nobody", "alice", "carol")).isEqualTo(1);
    ClientHarness.await("carol gets it", T, () -> atCarol.contains("alice:just carol"));

    // From the room service: no sender. Sends to one connection stay in order, so once bob has
    // this one he would already have had "just carol" if it had reached him.
    RoomServiceClient api = api();
    assertThat(api.sendData("r", utf8("from the backend"), "bob")).isEqualTo(1);
    ClientHarness.await("bob gets the backend's message", T, () -> atBob.contains("server:from the backend"));
    assertThat(atBob).containsExactly("alice:hello, 世界", "server:from the backend");
    assertThat(api.sendData("r", utf8("all"))).isEqualTo(3);
    ClientHarness.await("everyone gets the broadcast", T,
        () -> atAlice.contains("server:all") && atBob.contains("server:all") && atCarol.contains("server:all"));
    assertThat(atAlice).containsExactly("server:all");
  }

  @Test
  void malformedOrOversizedPayloadsAreRefusedWithInvalidParams() throws Exception {
    FanoutClient alice = h.join("r", "alice");
    FanoutClient bob = h.join("r", "bob");
    List<String> atBob = received(bob);
    SignalingClient sig = alice.signaling();

    assertThat(refusal(sig, payload("not base64!"))).isEqualTo("INVALID_PARAMS: params.payload is not base64 (RFC 4648 section 4)");
    assertThat(refusal(sig, payload(""))).isEqualTo("INVALID_PARAMS: params.payload is empty");
    String tooBig = Base64.getEncoder().encodeToString(new byte[DataLimit.MAX_PAYLOAD_BYTES + 1]);
    assertThat(refusal(sig, payload(tooBig))).startsWith("INVALID_PARAMS: params.payload holds 15361 bytes");
    assertThat(refusal(sig, SignalingClient.JSON.createObjectNode())).startsWith("INVALID_PARAMS: params.payload");
    ObjectNode badTo = payload("aGk=");
    badTo.put("to", "bob");
    assertThat(refusal(sig, badTo)).startsWith("INVALID_PARAMS: params.to");
    // The largest allowed payload goes through, and none of the refused ones did.
    assertThat(alice.sendData(new byte[DataLimit.MAX_PAYLOAD_BYTES])).isEqualTo(1);
    ClientHarness.await("bob gets the largest payload", T, () -> atBob.size() == 1);

    RoomServiceClient api = api();
    assertThatThrownBy(() -> api.sendData("r", new byte[0]))
        .isInstanceOfSatisfying(RoomServiceClient.ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_argument"));
    assertThatThrownBy(() -> api.sendData("nowhere", utf8("x")))
        .isInstanceOfSatisfying(RoomServiceClient.ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void aFloodingSenderIsRateLimitedAndOnlyWhatWasAcceptedIsDelivered() throws Exception {
    FanoutClient alice = h.join("r", "alice");
    FanoutClient bob = h.join("r", "bob");
    List<String> atBob = received(bob);
    // 300 messages of 15 KiB (4.5 MB) sent without waiting: to be all accepted at 64 KiB/s
    // they would have to take the server more than a minute, so some are refused however busy
    // the machine is.
    String big = Base64.getEncoder().encodeToString(new byte[DataLimit.MAX_PAYLOAD_BYTES]);
    List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sent.add(alice.signaling().request("send-data", payload(big)));
    }
    int accepted = 0;
    int limited = 0;
    for (CompletableFuture<JsonNode> f : sent) {
      try {
        f.get(T.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        accepted++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(((SignalingError) e.getCause()).code()).isEqualTo("RATE_LIMITED");
        limited++;
      }
    }
    assertThat(limited).isPositive();
    assertThat(accepted).isGreaterThanOrEqualTo(DataLimit.BYTES_PER_SECOND / DataLimit.MAX_PAYLOAD_BYTES);
    // Bob got exactly the accepted ones, and is still in the room to say so.
    assertThat(bob.sendData(utf8("still here"))).isEqualTo(1);
    int expected = accepted;
    ClientHarness.await("bob gets every accepted message", T, () -> atBob.size() == expected);
  }

  /** A room service client with the roomAdmin grant for every room. */
  private RoomServiceClient api() {
    return new RoomServiceClient(URI.create("http://127.0.0.1:" + h.server.httpAddress().getPort()),
        h.server.tokens().mintAdmin(ClientHarness.KEY, new AdminGrant(ClientHarness.KEY, false, false, true, null),
            Duration.ofMinutes(5)));
  }

  private static ObjectNode payload(String base64) {
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put("payload", base64);
    return p;
  }

  /** "CODE: message" of a refused send-data. */
  private static String refusal(SignalingClient sig, ObjectNode params) {
    try {
      sig.request("send-data", params).join();
      return "accepted";
    } catch (CompletionException e) {
      return e.getCause().getMessage();
    }
  }
}
