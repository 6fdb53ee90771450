package dev.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.server.config.FanoutConfig;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FanoutServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private FanoutServer server;

  @BeforeEach
  void start() throws Exception {
    server = FanoutServer.start(TestServers.loopbackConfig());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path);
    return http.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode health() throws Exception {
    HttpResponse<String> res = get("/healthz");
    assertThat(res.statusCode()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  @Test
  void healthzReportsVersionUptimeCountsAndMediaPort() throws Exception {
    HttpResponse<String> res = get("/healthz");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode h = JSON.readTree(res.body());
    assertThat(h.get("status").asText()).isEqualTo("ok");
    assertThat(h.get("version").asText()).isNotBlank().isNotEqualTo("unknown");
    assertThat(h.get("uptimeSeconds").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(h.get("rooms").asInt()).isZero();
    assertThat(h.get("participants").asInt()).isZero();
    assertThat(h.at("/media/port").asInt()).isEqualTo(server.mediaAddress().getPort());
    assertThat(h.at("/media/transport").asText()).isIn("epoll", "nio");
    assertThat(h.at("/media/received/datagrams").asLong()).isZero();
  }

  @Test
  void demoPageAndSdkAreServedFromWebFolder() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("Fanout");

    HttpResponse<String> sdk = get("/sdk/fanout.js");
    assertThat(sdk.statusCode()).isEqualTo(200);
    assertThat(sdk.headers().firstValue("content-type").orElse("")).startsWith("text/javascript");
    assertThat(sdk.body()).contains("export default");
  }

  @Test
  void unknownPathsAndTraversalAttemptsAre404() throws Exception {
    assertThat(get("/nope.js").statusCode()).isEqualTo(404);
    assertThat(get("/sdk/../fanout-version.properties").statusCode()).isEqualTo(404);
    assertThat(get("/sdk/%2e%2e/logback.xml").statusCode()).isEqualTo(404);
    assertThat(get("/..%2flogback.xml").statusCode()).isEqualTo(404);
    JsonNode err = JSON.readTree(get("/nope.js").body());
    assertThat(err.get("code").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void metricsAreInPrometheusTextFormatWithProcessCpuAndMediaCounters() throws Exception {
    HttpResponse<String> res = get("/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(res.body())
        .contains("process_cpu_seconds_total")
        .contains("jvm_memory_used_bytes")
        .contains("fanout_media_datagrams_received_total{class=\"stun\"}")
        .contains("fanout_media_datagrams_sent_total")
        .contains("fanout_participants");
  }

  @Test
  void devTokenIsNotFoundOutsideDevMode() throws Exception {
    assertThat(get("/dev/token?room=r&identity=i").statusCode()).isEqualTo(404);
  }

  @Test
  void webSocketUpgradesAtRtcAndAnswersPings() throws Exception {
    CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
    CompletableFuture<String> text = new CompletableFuture<>();
    WebSocket ws = http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc"),
            new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
                pong.complete(message);
                webSocket.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.complete(data.toString());
                webSocket.request(1);
                return null;
              }
            })
        .get(5, TimeUnit.SECONDS);
    ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    assertThat(pong.get(5, TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));

    ws.sendText("{\"v\":1,\"method\":\"ping\",\"id\":7}", true);
    JsonNode reply = JSON.readTree(text.get(5, TimeUnit.SECONDS));
    assertThat(reply.get("result").isObject()).isTrue();
    assertThat(reply.get("id").asInt()).isEqualTo(7);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
  }

  @Test
  void eachRfc7983ClassIncrementsItsCounterAndUnknownIsDropped() throws Exception {
    InetSocketAddress media = server.mediaAddress();
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      send(socket, media, 0x00, 20); // STUN binding request type starts with 0x00
      send(socket, media, 0x16, 30); // DTLS handshake record
      send(socket, media, 0x80, 40); // RTP version 2
      send(socket, media, 0x81, 40); // RTCP version 2 with RC=1
      send(socket, media, 0x42, 10); // TURN channel range: not ours
      send(socket, media, 0xff, 10); // nothing
    }
    JsonNode received = awaitDatagrams(6);
    assertThat(received.get("stun").asLong()).isEqualTo(1);
    assertThat(received.get("dtls").asLong()).isEqualTo(1);
    assertThat(received.get("rtpRtcp").asLong()).isEqualTo(2);
    assertThat(received.get("unknownDropped").asLong()).isEqualTo(2);
    assertThat(received.get("bytes").asLong()).isEqualTo(20 + 30 + 40 + 40 + 10 + 10);
  }

  @Test
  void closeFreesBothPortsSoASecondServerCanBindThem() throws Exception {
    int httpPort = server.httpAddress().getPort();
    int mediaPort = server.mediaAddress().getPort();
    server.close();
    FanoutConfig again = TestServers.loopbackConfig();
    again.http.port = httpPort;
    again.media.port = mediaPort;
    server = FanoutServer.start(again);
    assertThat(server.httpAddress().getPort()).isEqualTo(httpPort);
    assertThat(server.mediaAddress().getPort()).isEqualTo(mediaPort);
    assertThat(health().get("status").asText()).isEqualTo("ok");
  }

  @Test
  void httpPortInUseFailsWithClearMessageAndReleasesTheMediaPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      FanoutConfig c = TestServers.loopbackConfig();
      c.http.port = taken.getLocalPort();
      c.media.port = 0;
      assertThatThrownBy(() -> FanoutServer.start(c))
          .isInstanceOf(BindException.class)
          .hasMessageContaining("cannot bind HTTP to 127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("in use");
    }
  }

  @Test
  void configuredPemCertificateIsTheOneTheServerUses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    dev.fanout.dtls.DtlsCertificate cert = dev.fanout.dtls.DtlsCertificate.generate();
    cert.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    FanoutConfig c = TestServers.loopbackConfig();
    c.media.certificateFile = dir.resolve("cert.pem").toString();
    c.media.privateKeyFile = dir.resolve("key.pem").toString();
    try (FanoutServer withCert = FanoutServer.start(c)) {
      assertThat(withCert.dtlsFingerprint()).isEqualTo(cert.fingerprint());
    }
    assertThat(server.dtlsFingerprint()).as("without files, a generated one").isNotEqualTo(cert.fingerprint());
  }

  @Test
  void unreadableCertificateFailsWithClearMessageAndReleasesTheMediaPort(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("cert.pem"), "not a certificate");
    FanoutConfig c = TestServers.loopbackConfig();
    c.media.certificateFile = dir.resolve("cert.pem").toString();
    c.media.privateKeyFile = dir.resolve("missing.pem").toString();
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      port = probe.getLocalPort();
    }
    c.media.port = port;
    assertThatThrownBy(() -> FanoutServer.start(c))
        .isInstanceOf(dev.fanout.server.config.ConfigException.class)
        .hasMessageContaining("cannot load the DTLS certificate");
    new DatagramSocket(new InetSocketAddress("127.0.0.1", port)).close();
    FanoutConfig half = TestServers.loopbackConfig();
    half.media.certificateFile = "cert.pem";
    assertThatThrownBy(half::validate).hasMessageContaining("set both or neither");
  }

  @Test
  void webhookSettingsThatCannotWorkStopTheStartWithTheirReason() {
    FanoutConfig relative = TestServers.loopbackConfig();
    relative.webhooks.urls = java.util.List.of("/events");
    assertThatThrownBy(relative::validate).hasMessage("webhooks.urls: '/events' must be an http:// or https:// URL with a host");
    FanoutConfig ftp = TestServers.loopbackConfig();
    ftp.webhooks.urls = java.util.List.of("ftp://example.com/x");
    assertThatThrownBy(ftp::validate).hasMessageContaining("must be an http:// or https:// URL");
    FanoutConfig spaces = TestServers.loopbackConfig();
    spaces.webhooks.urls = java.util.List.of("http://exa mple.com/");
    assertThatThrownBy(spaces::validate).hasMessage("webhooks.urls: 'http://exa mple.com/' is not a URL");
    FanoutConfig unknownKey = TestServers.loopbackConfig();
    unknownKey.webhooks.urls = java.util.List.of("http://127.0.0.1:9/events");
    unknownKey.webhooks.apiKey = "nokey";
    assertThatThrownBy(unknownKey::validate).hasMessage("webhooks.apiKey 'nokey' is not one of the configured keys");
    unknownKey.webhooks.apiKey = TestServers.KEY;
    unknownKey.validate();
  }

  @Test
  void mediaPortInUseFailsWithClearMessage() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      FanoutConfig c = TestServers.loopbackConfig();
      c.media.port = taken.getLocalPort();
      assertThatThrownBy(() -> FanoutServer.start(c))
          .isInstanceOf(BindException.class)
          .hasMessageContaining("cannot bind media UDP to 127.0.0.1:" + taken.getLocalPort());
    }
  }

  private static void send(DatagramSocket s, InetSocketAddress to, int firstByte, int length)
      throws Exception {
    byte[] b = new byte[length];
    b[0] = (byte) firstByte;
    s.send(new DatagramPacket(b, b.length, to));
  }

  private JsonNode awaitDatagrams(long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    JsonNode received;
    do {
      received = health().at("/media/received");
      if (received.get("datagrams").asLong() >= expected) {
        return received;
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    return received;
  }
}
