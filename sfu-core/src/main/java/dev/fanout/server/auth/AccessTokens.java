package dev.fanout.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.fanout.server.config.Durations;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * Access tokens: HS256 JWTs (RFC 7519) signed with an API key's secret, LiveKit-style. The
 * {@code iss} claim names the key, {@code sub} the identity; {@code room}, {@code name} and the
 * grants {@code canPublish} / {@code canSubscribe} are Fanout's own claims.
 */
public final class AccessTokens {
  /** The default of {@code tokens.maxLifetimeSeconds}. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
  /**
   * How far the clock of whoever minted a token may run ahead of ours before a token of the
   * maximum lifetime counts as too long.
   */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  private final Map<String, String> keys;
  private final Clock clock;
  private final Duration maxLifetime;

  /** With the default maximum lifetime of 24 hours. */
  public AccessTokens(Map<String, String> keys, Clock clock) {
    this(keys, clock, DEFAULT_MAX_LIFETIME);
  }

  /**
   * @param keys API key to secret, as configured
   * @param maxLifetime the longest a token may be valid for; longer ones are refused
   */
  public AccessTokens(Map<String, String> keys, Clock clock, Duration maxLifetime) {
    if (maxLifetime.isNegative() || maxLifetime.isZero()) {
      throw new IllegalArgumentException("the maximum token lifetime must be positive");
    }
    this.keys = Map.copyOf(keys);
    this.clock = clock;
    this.maxLifetime = maxLifetime;
  }

  /** The longest a token may be valid for. */
  public Duration maxLifetime() {
    return maxLifetime;
  }

  /** What a token allows. */
  public record Grant(
      String room, String identity, String name, boolean canPublish, boolean canSubscribe,
      Instant expiresAt) {}

  /**
   * What a token allows on the room service API (docs/server-api.md), with LiveKit's names:
   * {@code roomList} lists rooms, {@code roomCreate} creates and deletes them, {@code roomAdmin}
   * manages participants and tracks — of {@code room} only when the token names one.
   */
  public record AdminGrant(String apiKey, boolean roomList, boolean roomCreate, boolean roomAdmin, String room) {
    /** Whether it administers {@code roomName}. */
    public boolean administers(String roomName) {
      return roomAdmin && (room == null || room.equals(roomName));
    }
  }

  /** Signs an admin token for the room service API with {@code apiKey}'s secret. */
  public String mintAdmin(String apiKey, AdminGrant grant, Duration ttl) {
    String secret = signingSecret(apiKey, ttl);
    if (grant.room() != null) {
      ClaimRules.identifier("room", grant.room());
    }
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(apiKey)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now.minusSeconds(5)))
        .expirationTime(Date.from(now.plus(ttl)))
        .claim("roomList", grant.roomList())
        .claim("roomCreate", grant.roomCreate())
        .claim("roomAdmin", grant.roomAdmin());
    if (grant.room() != null) {
      claims.claim("room", grant.room());
    }
    return sign(secret, claims.build());
  }

  /**
   * Verifies a token for the room service API; admin claims that are absent are not granted
   * (unlike {@code canPublish}/{@code canSubscribe}).
   */
  public AdminGrant verifyAdmin(String token) throws InvalidTokenException {
    Map<String, Object> raw = verifiedClaims(token);
    try {
      String room = stringClaim(raw, "room", "room");
      return new AdminGrant((String) raw.get("iss"), adminClaim(raw, "roomList"), adminClaim(raw, "roomCreate"),
          adminClaim(raw, "roomAdmin"), room == null ? null : ClaimRules.identifier("room", room));
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("token claims are invalid: " + e.getMessage());
    }
  }

  private static boolean adminClaim(Map<String, Object> claims, String claim) {
    return claims.get(claim) != null && booleanClaim(claims, claim);
  }

  /**
   * Checks a room name or identity by {@link ClaimRules#identifier}; throws
   * {@link IllegalArgumentException} with the reason.
   */
  public static String checkName(String what, String value) {
    return ClaimRules.identifier(what, value);
  }

  /**
   * Signs a token with {@code apiKey}'s secret, valid for {@code ttl} from now. The claims are
   * checked as {@link #verify} checks them, so what is minted is accepted. A zero or negative
   * {@code ttl} mints an already expired token (tests need one); one over the maximum lifetime
   * is refused.
   */
  public String mint(String apiKey, Grant grant, Duration ttl) {
    String secret = signingSecret(apiKey, ttl);
    ClaimRules.identifier("room", grant.room());
    ClaimRules.identifier("identity", grant.identity());
    if (grant.name() != null) {
      ClaimRules.displayName(grant.name());
    }
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(apiKey)
        .subject(grant.identity())
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now.minusSeconds(5)))
        .expirationTime(Date.from(now.plus(ttl)))
        .claim("room", grant.room())
        .claim("name", grant.name() == null ? grant.identity() : grant.name())
        .claim("canPublish", grant.canPublish())
        .claim("canSubscribe", grant.canSubscribe())
        .build();
    return sign(secret, claims);
  }

  /** The secret of {@code apiKey}, if it exists and {@code ttl} is within the maximum lifetime. */
  private String signingSecret(String apiKey, Duration ttl) {
    String secret = keys.get(apiKey);
    if (secret == null) {
      throw new IllegalArgumentException("unknown API key '" + apiKey + "'");
    }
    if (ttl.compareTo(maxLifetime) > 0) {
      throw new IllegalArgumentException("a token lifetime of " + Durations.format(ttl)
          + " is longer than the maximum of " + Durations.format(maxLifetime));
    }
    return secret;
  }

  private static String sign(String secret, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /** Verifies signature, algorithm, key, time window and claims; returns the grant. */
  public Grant verify(String token) throws InvalidTokenException {
    Map<String, Object> raw = verifiedClaims(token);
    Instant exp = Instant.ofEpochSecond(((Number) raw.get("exp")).longValue());
    try {
      String room = ClaimRules.identifier("room", stringClaim(raw, "room", "room"));
      String identity = ClaimRules.identifier("identity", stringClaim(raw, "sub", "identity"));
      String name = stringClaim(raw, "name", "name");
      name = name == null ? identity : ClaimRules.displayName(name);
      return new Grant(room, identity, name, booleanClaim(raw, "canPublish"),
          booleanClaim(raw, "canSubscribe"), exp);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("token claims are invalid: " + e.getMessage());
    }
  }

  /** Checks signature, algorithm, key and time window; returns the claims as sent. */
  private Map<String, Object> verifiedClaims(String token) throws InvalidTokenException {
    if (token == null || token.isEmpty()) {
      throw new InvalidTokenException("token is missing");
    }
    if (token.length() > 8192) {
      throw new InvalidTokenException("token is too long");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new InvalidTokenException("token is not a JWT: " + e.getMessage());
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      throw new InvalidTokenException("token must be signed with HS256");
    }
    String secret = claims.getIssuer() == null ? null : keys.get(claims.getIssuer());
    if (secret == null) {
      throw new InvalidTokenException("token is signed with an unknown API key");
    }
    try {
      if (!jwt.verify(new MACVerifier(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
        throw new InvalidTokenException("token signature is invalid");
      }
    } catch (JOSEException e) {
      throw new InvalidTokenException("token signature cannot be checked: " + e.getMessage());
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new InvalidTokenException("token has no expiry");
    }
    if (!now.isBefore(exp.toInstant())) {
      throw new InvalidTokenException("token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant())) {
      throw new InvalidTokenException("token is not valid yet");
    }
    checkLifetime(claims, exp.toInstant(), now);
    // The claims as sent: the JWT library turns a numeric sub into text when it parses.
    Map<String, Object> raw = jwt.getPayload().toJSONObject();
    if (raw == null) {
      throw new InvalidTokenException("token claims are not a JSON object");
    }
    return raw;
  }

  /**
   * Refuses a token valid for longer than the maximum: counted from its {@code iat} when it has
   * one, and in any case from now (so a future {@code iat} cannot stretch it), allowing
   * {@link #CLOCK_SKEW} for the minter's clock.
   */
  private void checkLifetime(JWTClaimsSet claims, Instant exp, Instant now) throws InvalidTokenException {
    Date iat = claims.getIssueTime();
    boolean tooLong = Duration.between(now, exp).compareTo(maxLifetime.plus(CLOCK_SKEW)) > 0
        || (iat != null && Duration.between(iat.toInstant(), exp).compareTo(maxLifetime) > 0);
    if (tooLong) {
      throw new InvalidTokenException("token lifetime exceeds the maximum of "
          + Durations.format(maxLifetime));
    }
  }

  /** A claim that must be a JSON string when present. */
  private static String stringClaim(Map<String, Object> claims, String claim, String what) {
    Object v = claims.get(claim);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException(what + " must be a string, not " + jsonType(v));
  }

  /** {@code canPublish} / {@code canSubscribe}: absent means granted. */
  private static boolean booleanClaim(Map<String, Object> claims, String claim) {
    Object v = claims.get(claim);
    if (v == null) {
      return true;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(claim + " must be true or false, not " + jsonType(v));
  }

  private static String jsonType(Object v) {
    if (v instanceof Number) {
      return "a number";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof java.util.List) {
      return "an array";
    }
    return v instanceof Map ? "an object" : "a " + v.getClass().getSimpleName();
  }
}
