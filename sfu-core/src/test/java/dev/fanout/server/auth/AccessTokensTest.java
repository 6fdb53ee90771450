package dev.fanout.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessTokensTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private final AccessTokens tokens = new AccessTokens(Map.of("k", SECRET), Clock.fixed(T0, ZoneOffset.UTC));

  private String mint(Duration ttl) {
    return tokens.mint("k", new AccessTokens.Grant("room-1", "alice", "Alice", true, false, null), ttl);
  }

  @Test
  void mintedTokenVerifiesWithItsClaims() throws Exception {
    AccessTokens.Grant g = tokens.verify(mint(Duration.ofMinutes(5)));
    assertThat(g.room()).isEqualTo("room-1");
    assertThat(g.identity()).isEqualTo("alice");
    assertThat(g.name()).isEqualTo("Alice");
    assertThat(g.canPublish()).isTrue();
    assertThat(g.canSubscribe()).isFalse();
    assertThat(g.expiresAt()).isEqualTo(T0.plusSeconds(300));
  }

  @Test
  void expiredTokenIsRejected() {
    String token = mint(Duration.ofMinutes(5));
    AccessTokens later = new AccessTokens(Map.of("k", SECRET), Clock.fixed(T0.plusSeconds(301), ZoneOffset.UTC));
    assertThatThrownBy(() -> later.verify(token)).isInstanceOf(InvalidTokenException.class).hasMessage("token has expired");
  }

  @Test
  void tokenOfAnotherSecretIsRejected() {
    AccessTokens other = new AccessTokens(Map.of("k", SECRET.replace('0', 'x')), Clock.fixed(T0, ZoneOffset.UTC));
    assertThatThrownBy(() -> other.verify(mint(Duration.ofMinutes(5))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token signature is invalid");
  }

  @Test
  void unknownKeyIsRejected() {
    AccessTokens other = new AccessTokens(Map.of("k2", SECRET), Clock.fixed(T0, ZoneOffset.UTC));
    assertThatThrownBy(() -> other.verify(mint(Duration.ofMinutes(5))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token is signed with an unknown API key");
  }

  @Test
  void tamperedClaimsAreRejected() {
    String[] parts = mint(Duration.ofMinutes(5)).split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"canSubscribe\":false", "\"canSubscribe\":true");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(InvalidTokenException.class)
        .hasMessage("token signature is invalid");
  }

  @Test
  void unsignedAlgNoneTokenIsRejected() {
    String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
    String body = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"iss\":\"k\",\"sub\":\"a\",\"room\":\"r\",\"exp\":" + (T0.getEpochSecond() + 60) + "}").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> tokens.verify(header + "." + body + "."))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void garbageAndEmptyTokensAreRejectedWithReason() {
    assertThatThrownBy(() -> tokens.verify("")).isInstanceOf(InvalidTokenException.class).hasMessage("token is missing");
    assertThatThrownBy(() -> tokens.verify("a.b.c")).isInstanceOf(InvalidTokenException.class).hasMessageStartingWith("token is not a JWT");
    assertThatThrownBy(() -> tokens.verify("x".repeat(9000))).isInstanceOf(InvalidTokenException.class).hasMessage("token is too long");
  }

  @Test
  void invalidNamesCannotBeMinted() {
    assertThatThrownBy(() -> tokens.mint("k", new AccessTokens.Grant("bad\nroom", "a", null, true, true, null), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("room must be");
  }
}
