package dev.fanout.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Access tokens: HS256 JWTs (RFC 7519) signed with an API key's secret, LiveKit-style. The
 * {@code iss} claim names the key, {@code sub} the identity; {@code room}, {@code name} and the
 * grants {@code canPublish} / {@code canSubscribe} are Fanout's own claims.
 */
public final class AccessTokens {
  /** Room names and identities: printable, no control characters, at most 128 characters. */
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._@:+=-]{1,128}");

  private final Map<String, String> keys;
  private final Clock clock;

  /** @param keys API key to secret, as configured */
  public AccessTokens(Map<String, String> keys, Clock clock) {
    this.keys = Map.copyOf(keys);
    this.clock = clock;
  }

  /** What a token allows. */
  public record Grant(
      String room, String identity, String name, boolean canPublish, boolean canSubscribe,
      Instant expiresAt) {}

  /** Checks a room name or identity; throws {@link IllegalArgumentException} with the reason. */
  public static String checkName(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what + " must be 1-128 letters, digits, spaces or ._@:+=- characters");
    }
    return value;
  }

  /** Signs a token with {@code apiKey}'s secret. */
  public String mint(String apiKey, Grant grant, Duration ttl) {
    String secret = keys.get(apiKey);
    if (secret == null) {
      throw new IllegalArgumentException("unknown API key '" + apiKey + "'");
    }
    checkName("room", grant.room());
    checkName("identity", grant.identity());
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
    try {
      String room = checkName("room", Objects.toString(claims.getClaim("room"), null));
      String identity = checkName("identity", claims.getSubject());
      String name = claims.getStringClaim("name");
      Boolean pub = claims.getBooleanClaim("canPublish");
      Boolean sub = claims.getBooleanClaim("canSubscribe");
      return new Grant(room, identity, name == null ? identity : name,
          pub == null || pub, sub == null || sub, exp.toInstant());
    } catch (ParseException | IllegalArgumentException e) {
      throw new InvalidTokenException("token claims are invalid: " + e.getMessage());
    }
  }
}
