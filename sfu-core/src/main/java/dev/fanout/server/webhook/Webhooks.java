package dev.fanout.server.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.fanout.server.media.Producer;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import dev.fanout.server.room.RoomObserver;
import dev.fanout.server.signaling.SignalingCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts room events to the configured URLs as JSON: {@code room_started}, {@code room_finished},
 * {@code participant_joined}, {@code participant_left}, {@code track_published},
 * {@code track_unpublished} (docs/webhooks.md). Each request carries an {@code Authorization}
 * header with a JWT signed by an API key's secret whose {@code sha256} claim is the body's
 * SHA-256, so the receiver knows it came from this server and was not altered.
 *
 * <p>Room threads only build the body and hand it over; one daemon thread owns every queue and
 * the retries. Events go to each URL in the order they happened, one request at a time; a failed
 * one (no answer within {@link #REQUEST_TIMEOUT}, or a status other than 2xx) is retried after
 * 0.5, 1, 2, 4 and 8 s, then dropped, and the next one goes. A URL with
 * {@link #MAX_QUEUED} events waiting drops new ones.
 */
public final class Webhooks implements RoomObserver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  static final long[] RETRY_MILLIS = {500, 1000, 2000, 4000, 8000};
  static final int MAX_QUEUED = 10_000;
  /** How long the signature of a delivery stays valid (retries sign again). */
  static final Duration SIGNATURE_LIFETIME = Duration.ofMinutes(5);
  private static final char[] ALPHABET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String apiKey;
  private final MACSigner signer;
  private final Clock clock;
  private final List<Target> targets = new ArrayList<>();
  private final ScheduledExecutorService worker;
  private final HttpClient http;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean closed;

  /** One URL and the events waiting for it; touched only on the worker thread. */
  private static final class Target {
    final URI uri;
    final ArrayDeque<String> queue = new ArrayDeque<>();
    boolean busy;

    Target(URI uri) {
      this.uri = uri;
    }
  }

  public Webhooks(List<URI> urls, String apiKey, String secret, Clock clock) {
    this.apiKey = apiKey;
    this.clock = clock;
    try {
      this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("webhook signing key '" + apiKey + "': " + e.getMessage(), e);
    }
    for (URI u : urls) {
      targets.add(new Target(u));
    }
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fanout-webhooks");
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder().executor(worker).connectTimeout(REQUEST_TIMEOUT).build();
  }

  /** Requests answered with 2xx so far. */
  public long delivered() {
    return delivered.get();
  }

  /** Events dropped: retries exhausted or a full queue. */
  public long failed() {
    return failed.get();
  }

  @Override
  public void roomStarted(Room room) {
    post(event("room_started", room));
  }

  @Override
  public void roomFinished(Room room) {
    post(event("room_finished", room));
  }

  @Override
  public void participantJoined(Room room, Participant p) {
    ObjectNode e = event("participant_joined", room);
    participant(e, p.identity(), p);
    post(e);
  }

  @Override
  public void participantLeft(Room room, Participant p, String reason) {
    ObjectNode e = event("participant_left", room);
    participant(e, p.identity(), p).put("reason", reason);
    post(e);
  }

  @Override
  public void trackPublished(Room room, Participant p, Producer track) {
    post(trackEvent("track_published", room, p, track));
  }

  @Override
  public void trackUnpublished(Room room, Participant p, Producer track) {
    post(trackEvent("track_unpublished", room, p, track));
  }

  private ObjectNode trackEvent(String name, Room room, Participant p, Producer track) {
    ObjectNode e = event(name, room);
    participant(e, track.publisher(), p);
    e.set("track", Room.describe(track));
    return e;
  }

  private ObjectNode event(String name, Room room) {
    ObjectNode e = SignalingCodec.JSON.createObjectNode();
    e.put("event", name);
    e.put("id", "EV_" + randomId());
    e.put("createdAt", clock.millis());
    e.putObject("room").put("name", room.name());
    return e;
  }

  private static ObjectNode participant(ObjectNode e, String identity, Participant p) {
    ObjectNode o = e.putObject("participant");
    o.put("identity", identity);
    if (p != null) {
      o.put("name", p.name());
    }
    return o;
  }

  private void post(ObjectNode event) {
    if (closed) {
      return;
    }
    String body = event.toString();
    worker.execute(() -> {
      for (Target t : targets) {
        if (t.queue.size() >= MAX_QUEUED) {
          failed.incrementAndGet();
          LOG.warn("webhook {}: {} events waiting; dropping {}", t.uri, MAX_QUEUED, event.path("event").asText());
          continue;
        }
        t.queue.add(body);
        pump(t);
      }
    });
  }

  /** Sends the head of {@code t}'s queue unless a request to it is under way. Worker thread. */
  private void pump(Target t) {
    if (t.busy || t.queue.isEmpty() || closed) {
      return;
    }
    t.busy = true;
    attempt(t, t.queue.peek(), 0);
  }

  private void attempt(Target t, String body, int attempt) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(t.uri)
          .timeout(REQUEST_TIMEOUT)
          .header("Content-Type", "application/webhook+json")
          .header("Authorization", sign(body))
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
          .build();
    } catch (RuntimeException e) {
      LOG.warn("webhook {}: cannot build the request: {}", t.uri, e.toString());
      finish(t, false);
      return;
    }
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenCompleteAsync((response, error) -> {
      if (error == null && response.statusCode() / 100 == 2) {
        finish(t, true);
      } else if (attempt < RETRY_MILLIS.length && !closed) {
        LOG.debug("webhook {}: attempt {} failed ({}), retrying", t.uri, attempt + 1,
            error != null ? error.toString() : "status " + response.statusCode());
        worker.schedule(() -> attempt(t, body, attempt + 1), RETRY_MILLIS[attempt], TimeUnit.MILLISECONDS);
      } else {
        LOG.warn("webhook {}: dropping an event after {} attempts ({})", t.uri, attempt + 1,
            error != null ? error.toString() : "status " + response.statusCode());
        finish(t, false);
      }
    }, worker);
  }

  private void finish(Target t, boolean ok) {
    (ok ? delivered : failed).incrementAndGet();
    t.queue.poll();
    t.busy = false;
    pump(t);
  }

  /** The Authorization value: an HS256 JWT with {@code iss} = the API key and {@code sha256} = base64(SHA-256(body)). */
  String sign(String body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      Date now = new Date(clock.millis());
      JWTClaimsSet claims = new JWTClaimsSet.Builder()
          .issuer(apiKey)
          .issueTime(now)
          .notBeforeTime(now)
          .expirationTime(new Date(now.getTime() + SIGNATURE_LIFETIME.toMillis()))
          .claim("sha256", Base64.getEncoder().encodeToString(digest))
          .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (NoSuchAlgorithmException | JOSEException e) {
      throw new IllegalStateException("cannot sign a webhook", e);
    }
  }

  private static String randomId() {
    char[] c = new char[12];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  /** Stops at once; events not yet delivered are dropped. */
  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
  }
}
