package dev.fanout.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.client.SignalingClient;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.config.FanoutConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that hold file descriptors without doing anything useful: silent ones, slowloris,
 * WebSockets that never join, and more of them than the process has descriptors for. Caps
 * refuse the excess with a clear status; deadlines close the rest; everyone else is served.
 * Hostile clients bind to their own 127.0.x.y addresses, as distinct machines would.
 */
class ConnectionLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FanoutServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private void start(Consumer<FanoutConfig> configure) throws Exception {
    FanoutConfig c = TestServers.loopbackConfig();
    configure.accept(c);
    server = FanoutServer.start(c);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.httpAddress().getPort());
  }

  private HostileClients hostile(HostileClients.Kind kind, long intervalMillis) throws IOException {
    HostileClients h = new HostileClients(address(), kind, intervalMillis);
    closeables.add(h);
    return h;
  }

  /** A plain GET on a new connection from 127.0.0.1: the whole answer, read to the server's close. */
  record Answer(String statusLine, String body, long millis) {}

  private Answer get(String path) throws IOException {
    long t0 = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(address(), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      int headEnd = all.indexOf("\r\n\r\n");
      return new Answer(all.substring(0, Math.max(0, all.indexOf("\r\n"))),
          headEnd < 0 ? "" : all.substring(headEnd + 4), millis);
    }
  }

  /** Connects a signaling client and joins; returns the milliseconds both took. */
  private long legitimateJoin(String room, String identity) throws Exception {
    long t0 = System.nanoTime();
    SignalingClient ws = SignalingClient.connect(
        URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc"), Duration.ofSeconds(10));
    closeables.add(ws);
    String token = server.tokens().mint(TestServers.KEY,
        new AccessTokens.Grant(room, identity, identity, true, true, null), Duration.ofMinutes(5));
    JsonNode joined = ws.call("join", SignalingClient.JSON.createObjectNode().put("token", token),
        Duration.ofSeconds(10));
    assertThat(joined.path("identity").asText()).isEqualTo(identity);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> httpHealth() {
    return (Map<String, Object>) server.health().get("http");
  }

  private int openOnServer() {
    return ((Number) httpHealth().get("connections")).intValue();
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition, Object... context)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what + " " + java.util.Arrays.toString(context));
      }
      Thread.sleep(50);
    }
  }

  @Test
  void twentyThousandSilentConnectionsAreCappedPerAddressWhileHealthzAndAJoinAnswerWithinASecond()
      throws Exception {
    int perAddress = 100;
    start(c -> {
      c.limits.maxConnectionsPerAddress = perAddress;
      c.limits.maxConnections = 5000;
      // Long deadlines: the silent connections stay while the server is measured.
      c.limits.handshakeTimeoutSeconds = 120;
    });
    // The same requests once before the flood, so what is timed below is the server, not this
    // JVM loading the HTTP client's and the token library's classes.
    assertThat(get("/healthz").statusLine()).isEqualTo("HTTP/1.1 200 OK");
    legitimateJoin("warm-up", "first");
    long floodStart = System.nanoTime();
    // Two processes of 10,000 sockets each: the test's own JVM also holds the server's sockets,
    // and each process may have at most `ulimit -n` descriptors (20,000 here).
    long fdLimit = ((com.sun.management.UnixOperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
    int perProcess = (int) Math.min(10_000, fdLimit - 500);
    int sourcesPerProcess = 10;
    assertThat(perProcess).as("sockets per attacker process (fd limit %d)", fdLimit)
        .isGreaterThan(sourcesPerProcess * perAddress);
    List<Attacker> attackers = List.of(
        new Attacker(address(), perProcess, "127.0.1", sourcesPerProcess),
        new Attacker(address(), perProcess, "127.0.2", sourcesPerProcess));
    closeables.addAll(attackers);
    int opened = 0;
    for (Attacker a : attackers) {
      opened += a.awaitOpened(Duration.ofSeconds(120));
    }
    int expectedHeld = 2 * sourcesPerProcess * perAddress;
    System.out.printf("flood: %d hostile connections opened from %d addresses in %d ms (fd limit %d)%n",
        opened, 2 * sourcesPerProcess, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - floodStart), fdLimit);
    assertThat(opened).isEqualTo(2 * perProcess);
    await("the server refused all but the per-address cap", Duration.ofSeconds(60),
        () -> ((Number) httpHealth().get("refused")).longValue() >= 2L * perProcess - expectedHeld, httpHealth());
    // The warm-up connection may have met its 30 s idle timeout meanwhile.
    assertThat(openOnServer()).isBetween(expectedHeld, expectedHeld + 1);

    // With every hostile socket still open, the server answers at once.
    Answer health = get("/healthz");
    assertThat(health.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    long joinMillis = legitimateJoin("flooded", "legit");
    System.out.printf("flood: server holds %d, /healthz answered in %d ms, a join in %d ms%n",
        openOnServer(), health.millis(), joinMillis);
    assertThat(health.millis()).as("/healthz ms").isLessThan(1000);
    assertThat(joinMillis).as("connect and join ms").isLessThan(1000);

    // Each attacker saw its excess refused clearly (429 with a reason) and closed.
    for (Attacker a : attackers) {
      String stats = a.stats(Duration.ofSeconds(30));
      int refusedHere = perProcess - sourcesPerProcess * perAddress;
      assertThat(stats).as("attacker report").contains("opened=" + perProcess, "closed=" + refusedHere,
          "statuses={HTTP/1.1 429 Too Many Requests=" + refusedHere + "}");
    }
  }

  @Test
  void pastTheGlobalCapConnectionsAreRefusedWith503UntilTheHandshakeDeadlineFreesPlaces() throws Exception {
    start(c -> {
      c.limits.maxConnections = 100;
      c.limits.maxConnectionsPerAddress = 30;
      c.limits.handshakeTimeoutSeconds = 2;
    });
    HostileClients silent = hostile(HostileClients.Kind.SILENT, 1000);
    assertThat(silent.open(100, HostileClients.sources("127.0.3", 4))).isEqualTo(100);
    await("100 connections held", Duration.ofSeconds(10), () -> openOnServer() == 100, httpHealth());

    Answer refused = get("/healthz");
    assertThat(refused.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
    assertThat(JSON.readTree(refused.body()).path("code").asText()).isEqualTo("TOO_MANY_CONNECTIONS");
    assertThat(refused.millis()).as("a refusal is immediate, and closed").isLessThan(1000);

    // The handshake deadline closes the silent ones (no request begun: closed without an
    // answer), after which the server answers again.
    await("the silent connections closed by the deadline", Duration.ofSeconds(20),
        () -> silent.closedByServer() == 100, silent.summary());
    assertThat(silent.statuses()).containsOnlyKeys("(none)");
    assertThat(silent.shortestLifeMillis()).as("none closed before the 2 s deadline").isGreaterThanOrEqualTo(1500);
    await("places free again", Duration.ofSeconds(10), () -> openOnServer() == 0, httpHealth());
    assertThat(get("/healthz").statusLine()).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void slowlorisHeadersAreCutAtTheHandshakeDeadlineWith408() throws Exception {
    start(c -> {
      c.limits.maxConnectionsPerAddress = 300;
      c.limits.handshakeTimeoutSeconds = 2;
    });
    // The report's slowloris: 1,000 connections, a header line now and then, never the blank line.
    HostileClients slow = hostile(HostileClients.Kind.SLOW_HEADERS, 300);
    assertThat(slow.open(1000, HostileClients.sources("127.0.4", 4))).isEqualTo(1000);
    assertThat(get("/healthz").statusLine()).isEqualTo("HTTP/1.1 200 OK");
    await("all 1,000 closed by the server", Duration.ofSeconds(30), () -> slow.closedByServer() == 1000,
        slow.summary());
    assertThat(slow.statuses()).containsOnlyKeys("HTTP/1.1 408 Request Timeout");
    assertThat(slow.shortestLifeMillis()).as("none closed before the 2 s deadline").isGreaterThanOrEqualTo(1500);
    await("no connection left", Duration.ofSeconds(10), () -> openOnServer() == 0, httpHealth());
  }

  @Test
  void webSocketsThatPingButNeverJoinAreClosedWith4003AtTheJoinDeadline() throws Exception {
    start(c -> {
      c.limits.maxConnectionsPerAddress = 300;
      c.limits.joinTimeoutSeconds = 2;
    });
    // One that joins in time stays past the deadline.
    legitimateJoin("r", "member");
    HostileClients pingers = hostile(HostileClients.Kind.PING_WITHOUT_JOIN, 500);
    assertThat(pingers.open(2000, HostileClients.sources("127.0.5", 8))).isEqualTo(2000);
    await("all 2,000 closed by the server", Duration.ofSeconds(60), () -> pingers.closedByServer() == 2000,
        pingers.summary());
    assertThat(pingers.closeCodes()).as(pingers.summary()).containsOnlyKeys(4003);
    assertThat(pingers.shortestLifeMillis()).as("none closed before the 2 s deadline").isGreaterThanOrEqualTo(1500);
    assertThat(server.rooms().participantCount()).isEqualTo(1);
    await("only the member's connection left", Duration.ofSeconds(10), () -> openOnServer() == 1, httpHealth());
  }

  /** A {@link HostileClients} process holding silent connections. */
  private static final class Attacker implements AutoCloseable {
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Attacker(InetSocketAddress server, int count, String sourcePrefix, int sources) throws Exception {
      Path classes = Path.of(HostileClients.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", classes.toString(), HostileClients.class.getName(),
          server.getAddress().getHostAddress(), Integer.toString(server.getPort()), Integer.toString(count),
          sourcePrefix, Integer.toString(sources))
          .redirectErrorStream(true)
          .start();
      stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process ended
        }
      }, "attacker-output");
      reader.setDaemon(true);
      reader.start();
    }

    private String next(String prefix, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<String> other = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return line.substring(prefix.length());
        }
        if (line != null) {
          other.add(line);
        }
      }
      throw new AssertionError("the attacker process printed no " + prefix + " within " + timeout + ": " + other);
    }

    int awaitOpened(Duration timeout) throws InterruptedException {
      return Integer.parseInt(next("OPENED ", timeout).trim());
    }

    String stats(Duration timeout) throws Exception {
      stdin.write("stats\n");
      stdin.flush();
      return next("STATS ", timeout);
    }

    @Override
    public void close() throws Exception {
      try {
        stdin.write("quit\n");
        stdin.close();
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
