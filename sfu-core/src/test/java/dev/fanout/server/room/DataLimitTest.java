package dev.fanout.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class DataLimitTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void sixtyMessagesPassAtOnceThenOneEverySixtiethOfASecond() {
    DataLimit limit = new DataLimit();
    for (int i = 0; i < DataLimit.MESSAGES_PER_SECOND; i++) {
      assertThat(limit.tryTake(1, 0)).as("message %d", i).isTrue();
    }
    assertThat(limit.tryTake(1, 0)).isFalse();
    assertThat(limit.tryTake(1, SECOND / 120)).isFalse();
    assertThat(limit.tryTake(1, SECOND / 50)).isTrue();
    assertThat(limit.tryTake(1, SECOND / 50)).isFalse();
  }

  @Test
  void bytesAreLimitedToSixtyFourKibibytesPerSecondAndARefusalTakesNothing() {
    DataLimit limit = new DataLimit();
    for (int i = 0; i < 4; i++) {
      assertThat(limit.tryTake(DataLimit.MAX_PAYLOAD_BYTES, 0)).isTrue();
    }
    // 4 × 15 KiB = 60 KiB taken; 4 KiB left: a 15 KiB message is refused, a 4 KiB one is not.
    assertThat(limit.tryTake(DataLimit.MAX_PAYLOAD_BYTES, 0)).isFalse();
    assertThat(limit.tryTake(4096, 0)).isTrue();
    assertThat(limit.tryTake(1, 0)).isFalse();
    // A full second refills the bucket, and no more than that after a long pause.
    assertThat(limit.tryTake(DataLimit.BYTES_PER_SECOND, 100 * SECOND)).isTrue();
    assertThat(limit.tryTake(1, 100 * SECOND)).isFalse();
  }

  @Test
  void payloadsMustBeNonEmptyBase64OfAtMostFifteenKibibytes() {
    assertThat(DataLimit.payloadBytes("aGk=")).isEqualTo(2);
    assertThat(DataLimit.payloadBytes(Base64.getEncoder().encodeToString(new byte[DataLimit.MAX_PAYLOAD_BYTES])))
        .isEqualTo(15 * 1024);
    assertThatThrownBy(() -> DataLimit.payloadBytes("a-_b")).hasMessage("is not base64 (RFC 4648 section 4)");
    assertThatThrownBy(() -> DataLimit.payloadBytes("a")).hasMessage("is not base64 (RFC 4648 section 4)");
    assertThatThrownBy(() -> DataLimit.payloadBytes("")).hasMessage("is empty");
    assertThatThrownBy(() -> DataLimit.payloadBytes(Base64.getEncoder().encodeToString(new byte[15 * 1024 + 1])))
        .hasMessage("holds 15361 bytes; at most 15360 are allowed");
  }
}
