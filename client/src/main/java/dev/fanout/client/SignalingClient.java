package dev.fanout.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The client side of Fanout's {@code /rtc} signaling protocol, version 1 (docs/protocol.md):
 * requests with correlated responses, and server events delivered to a listener.
 */
public final class SignalingClient implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final WebSocket ws;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile BiConsumer<String, JsonNode> events = (name, data) -> {};
  private volatile java.util.concurrent.ScheduledFuture<?> keepAlive;
  /** The last send; the next one starts when it is done. Guarded by this. */
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

  /** One HTTP client (one selector thread) for every connection of the JVM. */
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** One daemon thread sends every client's keep-alive pings. */
  private static final java.util.concurrent.ScheduledThreadPoolExecutor PINGS = pingScheduler();

  private static java.util.concurrent.ScheduledThreadPoolExecutor pingScheduler() {
    java.util.concurrent.ScheduledThreadPoolExecutor s = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "fanout-signaling-ping");
      t.setDaemon(true);
      return t;
    });
    // A closed client's schedule must not keep it reachable until its next tick.
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  private SignalingClient(WebSocket ws) {
    this.ws = ws;
  }

  /**
   * Sends {@code ping} every {@code interval} so the server, which drops a client silent for
   * 30 s, keeps this one (docs/protocol.md advises 10 s). Replaces an earlier schedule.
   */
  public void keepAlive(Duration interval) {
    stopKeepAlive();
    long ms = interval.toMillis();
    keepAlive = PINGS.scheduleAtFixedRate(() -> {
      try {
        if (!ws.isOutputClosed()) {
          request("ping", null);
        }
      } catch (RuntimeException e) {
        // the connection is going away; ended() cancels this schedule
      }
    }, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void stopKeepAlive() {
    java.util.concurrent.ScheduledFuture<?> k = keepAlive;
    if (k != null) {
      k.cancel(false);
    }
  }

  /** Opens a connection to {@code ws://host:port/rtc}. */
  public static SignalingClient connect(URI uri, Duration timeout) throws Exception {
    SignalingClient[] self = new SignalingClient[1];
    CompletableFuture<SignalingClient> ready = new CompletableFuture<>();
    Listener listener = new Listener(ready);
    WebSocket ws = HTTP.newWebSocketBuilder().connectTimeout(timeout)
        .buildAsync(uri, listener).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    self[0] = new SignalingClient(ws);
    listener.client = self[0];
    ready.complete(self[0]);
    return self[0];
  }

  /** Receives every event as (name, data). Replaces the previous listener. */
  public void onEvent(BiConsumer<String, JsonNode> listener) {
    this.events = listener;
  }

  /**
   * Sends a request; the future completes with {@code result}, or exceptionally with a
   * {@link SignalingError} carrying the server's code.
   */
  public CompletableFuture<JsonNode> request(String method, ObjectNode params) {
    long id = ids.incrementAndGet();
    ObjectNode m = JSON.createObjectNode();
    m.put("v", 1);
    m.put("id", id);
    m.put("method", method);
    m.set("params", params == null ? JSON.createObjectNode() : params);
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    sendRaw(m.toString());
    return f;
  }

  /** Sends a request and waits for its result. */
  public JsonNode call(String method, ObjectNode params, Duration timeout) throws Exception {
    try {
      return request(method, params).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof SignalingError se) {
        throw se;
      }
      throw e;
    }
  }

  /**
   * Sends raw text (also for tests of malformed input). Never blocks: sends are chained, since a
   * WebSocket takes one message at a time, so one stalled connection cannot hold up the thread
   * that sends every client's keep-alive.
   */
  public void sendRaw(String text) {
    synchronized (this) {
      sending = sending.handle((r, e) -> null).thenCompose(x -> ws.sendText(text, true));
    }
  }

  /** Whether requests can still be sent. */
  public boolean isOpen() {
    return !ws.isOutputClosed() && !closed.isDone();
  }

  /** Completes with the close status when the server closes the connection. */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  /** Drops the TCP connection without a close handshake, as a lost network would. */
  public void abort() {
    stopKeepAlive();
    ws.abort();
  }

  @Override
  public void close() {
    stopKeepAlive();
    if (!ws.isOutputClosed()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        ws.abort();
      }
    }
  }

  private void onText(String text) {
    JsonNode m;
    try {
      m = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return;
    }
    if (m.has("event")) {
      events.accept(m.get("event").asText(), m.path("data"));
      return;
    }
    JsonNode id = m.get("id");
    CompletableFuture<JsonNode> f = id == null || !id.canConvertToLong() ? null : pending.remove(id.asLong());
    if (f == null) {
      // An error that could not be correlated (e.g. malformed JSON) goes to the event listener.
      events.accept("error", m.path("error"));
      return;
    }
    if (m.has("error")) {
      f.completeExceptionally(new SignalingError(m.get("error").path("code").asText(), m.get("error").path("message").asText()));
    } else {
      f.complete(m.path("result"));
    }
  }

  private void ended(int status) {
    stopKeepAlive();
    closed.complete(status);
    pending.values().forEach(f -> f.completeExceptionally(
        new SignalingError("CONNECTION_CLOSED", "the connection closed with status " + status)));
    pending.clear();
  }

  /** An error response. */
  public static final class SignalingError extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public SignalingError(String code, String message) {
      super(code + ": " + message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private static final class Listener implements WebSocket.Listener {
    private final CompletableFuture<SignalingClient> ready;
    private final StringBuilder partial = new StringBuilder();
    volatile SignalingClient client;

    Listener(CompletableFuture<SignalingClient> ready) {
      this.ready = ready;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        ready.thenAccept(c -> c.onText(text)).join();
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ready.thenAccept(c -> c.ended(statusCode));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ready.thenAccept(c -> c.ended(-1));
    }
  }
}
