package dev.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.dtls.DtlsConfig;
import dev.fanout.server.config.ConfigException;
import dev.fanout.server.config.FanoutConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The DTLS handshake limits of docs/security.md come from the configuration file. */
class DtlsLimitsConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTheDtlsStacksDefaults() {
    assertThat(FanoutServer.dtlsConfig(TestServers.loopbackConfig())).isEqualTo(DtlsConfig.defaults());
  }

  @Test
  void theFileSetsTheHandshakeLimits() throws Exception {
    Path file = dir.resolve("fanout.yaml");
    Files.writeString(file, String.join("\n",
        "media:",
        "  dtlsMaxHandshakes: 64",
        "  dtlsHandshakeTimeoutSeconds: 8",
        "  dtlsSilenceTimeoutMillis: 2500",
        "keys:",
        "  k: " + TestServers.SECRET,
        ""));
    Main main = new Main();
    new CommandLine(main).parseArgs("--config", file.toString());
    FanoutConfig c = main.configuration(Map.of());

    DtlsConfig dtls = FanoutServer.dtlsConfig(c);
    assertThat(dtls.maxHandshakes()).isEqualTo(64);
    assertThat(dtls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(dtls.silenceTimeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void limitsThatWouldStopEveryHandshakeAreRejected() {
    FanoutConfig none = TestServers.loopbackConfig();
    none.media.dtlsMaxHandshakes = 0;
    assertThatThrownBy(none::validate).isInstanceOf(ConfigException.class)
        .hasMessageContaining("media.dtlsMaxHandshakes");
    FanoutConfig instant = TestServers.loopbackConfig();
    instant.media.dtlsSilenceTimeoutMillis = 10;
    assertThatThrownBy(instant::validate).isInstanceOf(ConfigException.class)
        .hasMessageContaining("media.dtlsSilenceTimeoutMillis at least 100");
  }
}
