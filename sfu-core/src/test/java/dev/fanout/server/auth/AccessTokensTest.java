package dev.fanout.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
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
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("room contains U+000A");
    assertThatThrownBy(() -> tokens.mint("k", new AccessTokens.Grant("r", "a", "x".repeat(257), true, true, null), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name is longer than 256 characters");
  }

  /** Signs any claims, as a third-party minter holding the secret could. */
  private static String signed(String claimsJson) throws Exception {
    // The payload exactly as given: a claims set would turn a numeric sub into text.
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claimsJson));
    jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jws.serialize();
  }

  /** Claims of a valid token as JSON, with members replaced or added: name, raw JSON value, … */
  private static String claims(String... memberAndJson) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("iss", "\"k\"");
    m.put("sub", "\"alice\"");
    m.put("room", "\"r\"");
    m.put("iat", Long.toString(T0.getEpochSecond()));
    m.put("exp", Long.toString(T0.getEpochSecond() + 600));
    for (int i = 0; i < memberAndJson.length; i += 2) {
      m.put(memberAndJson[i], memberAndJson[i + 1]);
    }
    StringBuilder b = new StringBuilder("{");
    m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return b.append('}').toString();
  }

  @Test
  void aTokenExpiringInTheYear9999IsRefusedAsTooLong() throws Exception {
    long year9999 = Instant.parse("9999-12-31T00:00:00Z").getEpochSecond();
    String forever = signed(claims("exp", Long.toString(year9999)));
    assertThatThrownBy(() -> tokens.verify(forever)).isInstanceOf(InvalidTokenException.class)
        .hasMessage("token lifetime exceeds the maximum of 24h");
    String foreverWithoutIat = signed("{\"iss\":\"k\",\"sub\":\"a\",\"room\":\"r\",\"exp\":" + year9999 + "}");
    assertThatThrownBy(() -> tokens.verify(foreverWithoutIat)).isInstanceOf(InvalidTokenException.class)
        .hasMessage("token lifetime exceeds the maximum of 24h");
  }

  @Test
  void theMaximumLifetimeIsConfigurableAndCountsFromIatAndFromNow() throws Exception {
    AccessTokens hour = new AccessTokens(Map.of("k", SECRET), Clock.fixed(T0, ZoneOffset.UTC), Duration.ofHours(1));
    long now = T0.getEpochSecond();
    // Exactly the maximum is accepted.
    assertThat(hour.verify(hour.mint("k", new AccessTokens.Grant("r", "a", null, true, true, null), Duration.ofHours(1)))
        .expiresAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    // From iat: issued an hour ago, valid for 90 minutes in all, 30 left: still too long.
    String fromIat = signed("{\"iss\":\"k\",\"sub\":\"a\",\"room\":\"r\",\"iat\":" + (now - 3600)
        + ",\"exp\":" + (now + 1800) + "}");
    assertThatThrownBy(() -> hour.verify(fromIat)).hasMessage("token lifetime exceeds the maximum of 1h");
    // From now: an iat in the future cannot stretch the window.
    String futureIat = signed("{\"iss\":\"k\",\"sub\":\"a\",\"room\":\"r\",\"iat\":" + (now + 86_400)
        + ",\"exp\":" + (now + 86_400 + 3000) + "}");
    assertThatThrownBy(() -> hour.verify(futureIat)).hasMessage("token lifetime exceeds the maximum of 1h");
    // Without iat, a minter whose clock runs up to a minute ahead still gets its full hour.
    String noIat = signed("{\"iss\":\"k\",\"sub\":\"a\",\"room\":\"r\",\"exp\":" + (now + 3600 + 50) + "}");
    assertThat(hour.verify(noIat).identity()).isEqualTo("a");
    assertThatThrownBy(() -> hour.mint("k", new AccessTokens.Grant("r", "a", null, true, true, null), Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a token lifetime of 1h1m is longer than the maximum of 1h");
  }

  @Test
  void aRoomOrIdentityClaimThatIsNotAStringIsRefusedNotTurnedIntoText() throws Exception {
    assertThatThrownBy(() -> tokens.verify(signed(claims("room", "42"))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: room must be a string, not a number");
    assertThatThrownBy(() -> tokens.verify(signed(claims("room", "true"))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: room must be a string, not a boolean");
    assertThatThrownBy(() -> tokens.verify(signed(claims("room", "[\"r\"]"))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: room must be a string, not an array");
    assertThatThrownBy(() -> tokens.verify(signed(claims("sub", "7"))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: identity must be a string, not a number");
    assertThatThrownBy(() -> tokens.verify(signed(claims("name", "{\"x\":1}"))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: name must be a string, not an object");
    assertThatThrownBy(() -> tokens.verify(signed(claims("canPublish", "\"yes\""))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: canPublish must be true or false, not a String");
  }

  @Test
  void aHugeNameWithMarkupBidiOverrideAndNulIsRefused() throws Exception {
    String name = "<img src=x onerror=alert(1)>\\u202E\\u0000" + "x".repeat(5000);
    assertThatThrownBy(() -> tokens.verify(signed(claims("name", "\"" + name + "\""))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: name is longer than 256 characters");
    String shortName = "<b>\\u202Eevil";
    assertThatThrownBy(() -> tokens.verify(signed(claims("name", "\"" + shortName + "\""))))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessage("token claims are invalid: name contains U+202E (a format character), which is not printable text");
    String nul = "Ali\\u0000ce";
    assertThatThrownBy(() -> tokens.verify(signed(claims("name", "\"" + nul + "\""))))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessage("token claims are invalid: name contains U+0000 (a control character), which is not printable text");
  }

  @Test
  void identitiesOfSpacesOrLookAlikesAreRefused() throws Exception {
    assertThatThrownBy(() -> tokens.verify(signed(claims("sub", "\"   \""))))
        .isInstanceOf(InvalidTokenException.class).hasMessage("token claims are invalid: identity must not start with a space");
    assertThatThrownBy(() -> tokens.verify(signed(claims("sub", "\"\\u212Aevin\""))))
        .isInstanceOf(InvalidTokenException.class).hasMessageStartingWith("token claims are invalid: identity is not in Unicode normalization form NFKC");
    assertThatThrownBy(() -> tokens.verify(signed(claims("sub", "\"\\u0430lice\""))))
        .isInstanceOf(InvalidTokenException.class).hasMessageStartingWith("token claims are invalid: identity mixes the scripts");
    assertThatThrownBy(() -> tokens.verify(signed(claims("sub", "\"al\\u200Bice\""))))
        .isInstanceOf(InvalidTokenException.class).hasMessageStartingWith("token claims are invalid: identity contains U+200B (a format character)");
  }
}
