package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.server.TestServers;
import dev.fanout.server.signaling.SignalingCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Room events reach an app's backend: a real server posts to an HTTP server on loopback while
 * Java clients join, publish and leave; each request is signed over its body, events arrive in
 * the order they happened, and a backend that fails at first still gets every event.
 */
class WebhooksTest {
  private static final Duration T = Duration.ofSeconds(20);

  private HttpServer backend;
  private final List<JsonNode> received = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  /** Requests the backend refuses with 503 before it starts accepting. */
  private final AtomicInteger refuseFirst = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private ClientHarness h;

  @BeforeEach
  void start() throws Exception {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (refuseFirst.getAndDecrement() > 0) {
        refused.incrementAndGet();
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      String problem = checkSignature(exchange.getRequestHeaders().getFirst("Authorization"), body,
          exchange.getRequestHeaders().getFirst("Content-Type"));
      synchronized (received) {
        if (problem != null) {
          problems.add(problem);
        }
        received.add(SignalingCodec.JSON.readTree(body));
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    backend.start();
    String url = "http://127.0.0.1:" + backend.getAddress().getPort() + "/hook";
    h = new ClientHarness(c -> c.webhooks.urls = List.of(url));
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    backend.stop(0);
  }

  /** What a backend must check: the JWT verifies with the key's secret and covers this body. */
  private static String checkSignature(String authorization, byte[] body, String contentType) {
    try {
      if (!"application/webhook+json".equals(contentType)) {
        return "content type " + contentType;
      }
      SignedJWT jwt = SignedJWT.parse(authorization);
      if (!jwt.verify(new MACVerifier(TestServers.SECRET.getBytes(StandardCharsets.UTF_8)))) {
        return "signature does not verify";
      }
      if (!TestServers.KEY.equals(jwt.getJWTClaimsSet().getIssuer())) {
        return "issuer " + jwt.getJWTClaimsSet().getIssuer();
      }
      if (jwt.getJWTClaimsSet().getExpirationTime().before(new Date())) {
        return "expired";
      }
      String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
      if (!sha.equals(jwt.getJWTClaimsSet().getStringClaim("sha256"))) {
        return "sha256 claim does not match the body";
      }
      return null;
    } catch (Exception e) {
      return e.toString();
    }
  }

  private List<String> events() {
    synchronized (received) {
      return received.stream().map(e -> e.path("event").asText() + " " + e.path("participant").path("identity").asText())
          .map(String::trim).toList();
    }
  }

  @Test
  void aRoomsLifeArrivesSignedAndInOrder() throws Exception {
    FanoutClient alice = h.join("hooks", "alice");
    LocalTrack mic = LocalTrack.audio("microphone");
    alice.publish(mic);
    String micId = mic.trackId();
    FanoutClient bob = h.join("hooks", "bob");
    bob.leave();
    alice.unpublish(mic);
    alice.leave();

    List<String> expected = List.of("room_started", "participant_joined alice", "track_published alice",
        "participant_joined bob", "participant_left bob", "track_unpublished alice", "participant_left alice",
        "room_finished");
    ClientHarness.await("all events", T, () -> events().size() >= expected.size());
    assertThat(events()).containsExactlyElementsOf(expected);
    synchronized (received) {
      assertThat(problems).isEmpty();
      JsonNode published = received.get(2);
      assertThat(published.path("room").path("name").asText()).isEqualTo("hooks");
      assertThat(published.path("track").path("trackId").asText()).isEqualTo(micId);
      assertThat(published.path("track").path("kind").asText()).isEqualTo("audio");
      assertThat(published.path("track").path("source").asText()).isEqualTo("microphone");
      assertThat(received.get(4).path("participant").path("reason").asText()).isEqualTo("left");
      assertThat(received.stream().map(e -> e.path("id").asText()).distinct().count()).isEqualTo(expected.size());
    }
  }

  @Test
  void aBackendThatFailsAtFirstGetsEveryEventAfterRetries() throws Exception {
    refuseFirst.set(2);
    FanoutClient carol = h.join("retry", "carol");
    carol.leave();

    ClientHarness.await("events after retries", T, () -> events().size() >= 4);
    assertThat(refused.get()).isEqualTo(2);
    assertThat(events()).containsExactly("room_started", "participant_joined carol", "participant_left carol",
        "room_finished");
    assertThat(problems).isEmpty();
  }
}
