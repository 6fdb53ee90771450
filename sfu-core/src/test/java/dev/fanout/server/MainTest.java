package dev.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.auth.DevKey;
import dev.fanout.server.auth.InvalidTokenException;
import dev.fanout.server.config.FanoutConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private record Result(int status, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void versionNamesTheMavenVersionAndTheCommit() {
    Result r = run("--version");
    assertThat(r.status()).isZero();
    assertThat(r.out().strip()).matches("fanout \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{7}(-dirty)?\\)");
  }

  @Test
  void unknownConfigKeyIsOneLineErrorWithLineNumberAndNonZeroExit() throws Exception {
    Path file = dir.resolve("fanout.yaml");
    Files.writeString(file, "http:\n  port: 8081\n  prot: 9\n");
    Result r = run("--config", file.toString(), "--key", "k:" + TestServers.SECRET);
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo("fanout: config file " + file + ": unknown key 'prot' at line 3");
  }

  @Test
  void malformedYamlIsOneLineError() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "http: [unclosed\n");
    Result r = run("--config", file.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("fanout: config file " + file + " is not valid");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void missingConfigFileIsOneLineError() {
    Result r = run("--config", dir.resolve("absent.yaml").toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("fanout: config file not found: " + dir.resolve("absent.yaml"));
  }

  @Test
  void withoutDevModeAndWithoutKeysTheServerRefusesToStart() {
    Result r = run("--http-port", "0", "--media-port", "0");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("fanout: no API keys configured");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void shortSecretIsRejected() {
    Result r = run("--key", "k:short", "--http-port", "0");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("secret of API key 'k' must be at least 32 characters");
  }

  @Test
  void badFlagIsOneLineUsageErrorWithStatusTwo() {
    Result r = run("--http-port", "eighty");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("fanout: ").contains("--http-port");

    Result unknown = run("--bogus");
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--bogus'");
  }

  @Test
  void helpDocumentsEveryFlagAndTheEnvironment() {
    Result r = run("--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("--dev", "--config", "--http-bind", "--http-port", "--media-bind",
        "--media-port", "--advertise-ip", "--key", "--log-level", "FANOUT_KEYS", "token");
  }

  @Test
  void layersApplyDefaultsThenFileThenEnvironmentThenFlags() throws Exception {
    Path file = dir.resolve("fanout.yaml");
    Files.writeString(file, String.join("\n",
        "http:",
        "  port: 1111",
        "  bind: 10.0.0.1",
        "media:",
        "  port: 2222",
        "  advertisedIps: [198.51.100.1]",
        "logLevel: warn",
        "keys:",
        "  filekey: " + TestServers.SECRET,
        ""));
    Main main = new Main();
    new CommandLine(main).parseArgs("--config", file.toString(), "--media-port", "4444");
    FanoutConfig c = main.configuration(Map.of(
        "FANOUT_HTTP_PORT", "3333",
        "FANOUT_MEDIA_PORT", "3334",
        "FANOUT_ADVERTISED_IPS", "203.0.113.5, 203.0.113.6"));
    assertThat(c.http.port).as("env over file").isEqualTo(3333);
    assertThat(c.httpBind()).as("file over default").isEqualTo("10.0.0.1");
    assertThat(c.media.port).as("flag over env").isEqualTo(4444);
    assertThat(c.media.advertisedIps).containsExactly("203.0.113.5", "203.0.113.6");
    assertThat(c.logLevel).isEqualTo("warn");
    assertThat(c.keys).containsOnlyKeys("filekey");
    assertThat(c.mediaBind()).as("default").isEqualTo("0.0.0.0");
  }

  @Test
  void devModeBindsLoopbackByDefault() {
    Main main = new Main();
    new CommandLine(main).parseArgs("--dev");
    FanoutConfig c = main.configuration(Map.of());
    assertThat(c.dev).isTrue();
    assertThat(c.httpBind()).isEqualTo("127.0.0.1");
    assertThat(c.mediaBind()).isEqualTo("127.0.0.1");
    assertThat(c.http.port).isEqualTo(8080);
    assertThat(c.media.port).isEqualTo(10000);
  }

  @Test
  void tokenCommandMintsATokenTheServerAccepts() throws Exception {
    Result r = run("--key", "k1:" + TestServers.SECRET, "token", "--room", "lobby", "--identity", "alice", "--publish");
    assertThat(r.status()).as(r.err()).isZero();
    var tokens = new dev.fanout.server.auth.AccessTokens(Map.of("k1", TestServers.SECRET), java.time.Clock.systemUTC());
    var grant = tokens.verify(r.out().strip());
    assertThat(grant.room()).isEqualTo("lobby");
    assertThat(grant.identity()).isEqualTo("alice");
    assertThat(grant.canPublish()).isTrue();
    assertThat(grant.canSubscribe()).isFalse();
  }

  private static AccessTokens.Grant verify(String key, String secret, String token) throws InvalidTokenException {
    return new AccessTokens(Map.of(key, secret), Clock.systemUTC(), Duration.ofDays(30)).verify(token.strip());
  }

  /** A failed command: its status, and exactly one line on stderr without a stack trace. */
  private static String oneLineFailure(Result r, int status) {
    assertThat(r.status()).as(r.err()).isEqualTo(status);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith("fanout: ").doesNotContain("Exception", "\tat ");
    return r.err().strip();
  }

  @Test
  void tokenAcceptsConfigAndKeyAfterTheSubcommand() throws Exception {
    Path file = dir.resolve("keys.yaml");
    Files.writeString(file, "keys:\n  filekey: " + TestServers.SECRET + "\n");
    Result fromFile = run("token", "--config", file.toString(), "--room", "lobby", "--identity", "alice");
    assertThat(fromFile.status()).as(fromFile.err()).isZero();
    assertThat(verify("filekey", TestServers.SECRET, fromFile.out()).room()).isEqualTo("lobby");

    Result fromFlag = run("token", "--key", "k2:" + TestServers.SECRET, "--room", "lobby", "--identity", "bob");
    assertThat(fromFlag.status()).as(fromFlag.err()).isZero();
    assertThat(verify("k2", TestServers.SECRET, fromFlag.out()).identity()).isEqualTo("bob");

    // Given on both sides, the subcommand's key wins, as a later flag would.
    Result both = run("--key", "before:" + TestServers.SECRET, "token", "--key", "after:" + TestServers.SECRET,
        "--room", "r", "--identity", "i");
    assertThat(both.status()).as(both.err()).isZero();
    assertThat(verify("after", TestServers.SECRET, both.out()).identity()).isEqualTo("i");
  }

  @Test
  void tokenWithDevSignsWithTheFixedDevKey() throws Exception {
    for (String[] args : List.of(
        new String[] {"token", "--dev", "--room", "r", "--identity", "i"},
        new String[] {"--dev", "token", "--room", "r", "--identity", "i"})) {
      Result r = run(args);
      assertThat(r.status()).as(r.err()).isZero();
      assertThat(verify(DevKey.KEY, DevKey.SECRET, r.out()).room()).isEqualTo("r");
    }
  }

  @Test
  void tokenTtlAcceptsShortAndIsoDurations() throws Exception {
    Path file = dir.resolve("week.yaml");
    Files.writeString(file, "keys:\n  k: " + TestServers.SECRET + "\ntokens:\n  maxLifetimeSeconds: 604800\n");
    Map<String, Duration> cases = Map.of(
        "30m", Duration.ofMinutes(30), "1h", Duration.ofHours(1), "24h", Duration.ofHours(24),
        "7d", Duration.ofDays(7), "1h30m", Duration.ofMinutes(90), "PT2H", Duration.ofHours(2));
    for (var c : cases.entrySet()) {
      Instant before = Instant.now();
      Result r = run("token", "--config", file.toString(), "--room", "r", "--identity", "i", "--ttl", c.getKey());
      assertThat(r.status()).as(c.getKey() + ": " + r.err()).isZero();
      Instant exp = verify("k", TestServers.SECRET, r.out()).expiresAt();
      // exp has whole seconds.
      assertThat(exp).as(c.getKey())
          .isBetween(before.plus(c.getValue()).minusSeconds(1), Instant.now().plus(c.getValue()));
    }
    Result byDefault = run("token", "--config", file.toString(), "--room", "r", "--identity", "i");
    assertThat(Duration.between(Instant.now(), verify("k", TestServers.SECRET, byDefault.out()).expiresAt()))
        .isBetween(Duration.ofHours(6).minusSeconds(5), Duration.ofHours(6));
  }

  @Test
  void tokenRefusesNegativeZeroOverlongAndUnreadableTtlsWithStatusTwo() {
    String key = "k:" + TestServers.SECRET;
    assertThat(oneLineFailure(run("token", "--key", key, "--room", "r", "--identity", "i", "--ttl", "-PT1H"), 2))
        .isEqualTo("fanout: --ttl must be positive, got -1h (see fanout token --help)");
    assertThat(oneLineFailure(run("token", "--key", key, "--room", "r", "--identity", "i", "--ttl", "0s"), 2))
        .isEqualTo("fanout: --ttl must be positive, got 0s (see fanout token --help)");
    assertThat(oneLineFailure(run("token", "--key", key, "--room", "r", "--identity", "i", "--ttl", "7d"), 2))
        .isEqualTo("fanout: --ttl 7d is longer than the maximum token lifetime of 24h (tokens.maxLifetimeSeconds)"
            + " (see fanout token --help)");
    assertThat(oneLineFailure(run("token", "--key", key, "--room", "r", "--identity", "i", "--ttl", "1 hour"), 2))
        .startsWith("fanout: Invalid value for option '--ttl': expected a duration such as 30m, 1h, 1h30m, 7d or PT1H30M, got '1 hour'");
  }

  @Test
  void tokenWithAShortSecretGetsTheServersMessage() {
    String server = oneLineFailure(run("--key", "k:short", "--http-port", "0"), 1);
    String token = oneLineFailure(run("token", "--key", "k:short", "--room", "r", "--identity", "i"), 1);
    assertThat(token).isEqualTo(server)
        .isEqualTo("fanout: the secret of API key 'k' must be at least 32 characters");
  }

  @Test
  void tokenWithoutKeysOrWithBadClaimsFailsInOneLine() {
    assertThat(oneLineFailure(run("token", "--room", "r", "--identity", "i"), 1))
        .startsWith("fanout: no API keys configured");
    String key = "k:" + TestServers.SECRET;
    assertThat(oneLineFailure(run("token", "--key", key, "--room", " r", "--identity", "i"), 2))
        .isEqualTo("fanout: room must not start with a space (see fanout token --help)");
    assertThat(oneLineFailure(run("token", "--key", key, "--room", "r", "--identity", "p\u0430ypal"), 2))
        .startsWith("fanout: identity mixes the scripts Latin and Cyrillic");
    assertThat(oneLineFailure(run("token", "--key", key, "--room", "r", "--identity", "i", "--name", "a\u202Eb"), 2))
        .startsWith("fanout: name contains U+202E (a format character)");
    assertThat(oneLineFailure(run("token", "--key", key, "--api-key", "nope", "--room", "r", "--identity", "i"), 2))
        .isEqualTo("fanout: --api-key 'nope' is not configured (configured: k) (see fanout token --help)");
    assertThat(oneLineFailure(run("token", "--key", key, "--identity", "i"), 2))
        .contains("--room");
  }

  @Test
  void tokenHelpSaysWhereKeysComeFromAndWhichDurationsWork() {
    Result r = run("token", "--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("--config", "--key", "--dev", "before or after 'token'", "7d", "PT1H30M",
        "tokens.maxLifetimeSeconds");
  }

  @Test
  void devModeWithTheBuiltInKeyRefusesANonLoopbackBind() {
    assertThat(oneLineFailure(run("--dev", "--http-bind", "0.0.0.0", "--http-port", "0", "--media-port", "0"), 1))
        .isEqualTo("fanout: dev mode with the built-in key 'devkey' (whose secret is public) serves on "
            + "loopback only, but http.bind is 0.0.0.0: configure your own keys to listen there");
  }

  /** The real command in its own JVM: stdout is read until the dev key line, then SIGTERM. */
  @Test
  void devModePrintsTheFixedKeyAndSecretAtStart() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--dev", "--http-port", "0", "--media-port", "0")
        .redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    // Not closed here: closing a reader blocks while another thread is inside readLine. The
    // stream ends when the process does, and so does the reader thread.
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    Thread reader = new Thread(() -> {
      try {
        for (String l; (l = out.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(l);
          }
        }
      } catch (java.io.IOException e) {
        // The process ended.
      }
    }, "dev-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && p.isAlive() && !printed(lines, "Demo: ")) {
        Thread.sleep(50);
      }
      synchronized (lines) {
        assertThat(lines).as(String.join("\n", lines))
            .contains("Dev API key: devkey  secret: fanout-dev-secret-not-for-production  (fixed: tokens survive restarts)");
      }
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  private static boolean printed(List<String> lines, String prefix) {
    synchronized (lines) {
      return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }
  }
}
