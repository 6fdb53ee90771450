package dev.fanout.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "30s, PT30S", "30m, PT30M", "1h, PT1H", "24h, PT24H", "7d, PT168H", "1h30m, PT1H30M",
      "1d12h, PT36H", "-1h, PT-1H", "0s, PT0S",
      "PT1H30M, PT1H30M", "pt2h, PT2H", "P1D, PT24H", "-PT1H, PT-1H", "' 1h ', PT1H"})
  void operatorDurationsAndIso8601Parse(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "h", "1 hour", "1w", "1.5h", "P", "PTXH", "1h-1m", "9999999999h"})
  void anythingElseIsRefusedWithAnExample(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected a duration such as 30m, 1h, 1h30m, 7d or PT1H30M, got '");
  }

  @ParameterizedTest
  @CsvSource({"PT24H, 24h", "PT168H, 7d", "PT1H1M, 1h1m", "PT90S, 1m30s", "PT0S, 0s", "PT-1H, -1h",
      "PT48H, 2d", "PT0.5S, 500ms"})
  void formatIsTheShortestReadableForm(Duration d, String expected) {
    assertThat(Durations.format(d)).isEqualTo(expected);
  }
}
