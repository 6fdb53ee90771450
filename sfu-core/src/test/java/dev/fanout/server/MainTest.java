package dev.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.server.config.FanoutConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
}
