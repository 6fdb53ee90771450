package dev.fanout.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's configuration. Layers are applied in this order, each overriding the one before:
 * built-in defaults, the YAML file ({@code --config}), {@code FANOUT_*} environment variables,
 * command-line flags. {@link ConfigLoader} does the layering; {@link #validate()} the checks.
 *
 * <p>Mutable on purpose while loading (Jackson updates it in place); treat it as read-only once
 * the server has started.
 */
public final class FanoutConfig {

  /** HTTP and WebSocket listener. */
  public static final class Http {
    /** Null: 127.0.0.1 in dev mode, 0.0.0.0 otherwise. */
    @JsonProperty public String bind;
    @JsonProperty public int port = 8080;
    /**
     * Web origins ({@code scheme://host[:port]}) whose pages may use {@code /rtc} and
     * {@code /dev/token}; {@code "*"} allows any. Empty: any origin in dev mode, otherwise only
     * pages served by this server. Clients that send no {@code Origin} (not browsers) are
     * always allowed: the token is what authenticates them.
     */
    @JsonProperty public List<String> allowedOrigins = new ArrayList<>();
  }

  /** The single UDP media port shared by every transport. */
  public static final class Media {
    /** Null: 127.0.0.1 in dev mode, 0.0.0.0 otherwise. */
    @JsonProperty public String bind;
    @JsonProperty public int port = 10000;
    /**
     * Addresses advertised as host candidates, e.g. a public address for a 1:1 NAT mapping.
     * Empty: the bind address, or 127.0.0.1 when bound to the wildcard address.
     */
    @JsonProperty public List<String> advertisedIps = new ArrayList<>();
    /**
     * The DTLS certificate and its private key, PEM files (ECDSA P-256). Both or neither:
     * without them a new certificate is generated at each start.
     */
    @JsonProperty public String certificateFile;
    @JsonProperty public String privateKeyFile;
    /** A transport with no ICE check for this long has lost consent (RFC 7675 §5.1: 30 s). */
    @JsonProperty public int consentTimeoutSeconds = 30;
    /** A transport with no nominated pair this long after it was created is dropped. */
    @JsonProperty public int connectTimeoutSeconds = 30;
    /**
     * DTLS handshakes in progress at once, each on its own thread while it waits for its peer;
     * past this a new one replaces the oldest if that one has run for 2 s, or is refused.
     */
    @JsonProperty public int dtlsMaxHandshakes = 256;
    /** A DTLS handshake not complete this long after its first datagram fails. */
    @JsonProperty public int dtlsHandshakeTimeoutSeconds = 10;
    /**
     * A DTLS handshake whose peer has not answered our first flight and has been silent this long
     * since our last answer fails.
     */
    @JsonProperty public int dtlsSilenceTimeoutMillis = 4000;
  }

  /** Limits that protect the server from one room or client taking everything. */
  public static final class Limits {
    @JsonProperty public int maxParticipantsPerRoom = 100;
    @JsonProperty public int maxTracksPerParticipant = 8;
    @JsonProperty public int maxMessageBytes = 64 * 1024;
    /** Open HTTP/WebSocket connections, all addresses together; lowered to fit the fd limit. */
    @JsonProperty public int maxConnections = 10_000;
    /** Open HTTP/WebSocket connections from one IPv4 address or one IPv6 /64. */
    @JsonProperty public int maxConnectionsPerAddress = 256;
    /** A connection must deliver a complete HTTP request (or WebSocket upgrade) within this. */
    @JsonProperty public int handshakeTimeoutSeconds = 10;
    /** A WebSocket must complete a {@code join} within this of opening. */
    @JsonProperty public int joinTimeoutSeconds = 15;
    /** Bytes queued for one WebSocket that its client has not read yet; past it, it is closed. */
    @JsonProperty public int maxOutgoingBytes = 1024 * 1024;
  }

  /** Access tokens. */
  public static final class Tokens {
    /**
     * The longest a token may be valid for (its {@code exp} after its {@code iat} and after
     * now); longer ones are refused, and {@code fanout token} will not mint them.
     */
    @JsonProperty public long maxLifetimeSeconds = 24 * 3600;
  }

  /** Room events posted to an app's backend (docs/webhooks.md). */
  public static final class Webhooks {
    /** Where events are posted; empty: no webhooks. */
    @JsonProperty public List<String> urls = new ArrayList<>();
    /** The API key whose secret signs them; null: the first configured key. */
    @JsonProperty public String apiKey;
  }

  /** What {@code /metrics} exposes. */
  public static final class MetricsSettings {
    /**
     * Per-room series ({@code fanout_room_participants}, {@code fanout_room_tracks}, label
     * {@code room}): one series per open room, so the operator chooses the cardinality.
     */
    @JsonProperty public boolean perRoom = false;
  }

  @JsonProperty public Http http = new Http();
  @JsonProperty public MetricsSettings metrics = new MetricsSettings();
  @JsonProperty public Media media = new Media();
  @JsonProperty public Limits limits = new Limits();
  @JsonProperty public Tokens tokens = new Tokens();
  @JsonProperty public Webhooks webhooks = new Webhooks();
  /** API key to secret; tokens are HS256 JWTs signed with the secret, {@code iss} = the key. */
  @JsonProperty public Map<String, String> keys = new LinkedHashMap<>();
  /** Development mode: loopback binds, the fixed dev key unless keys are configured, {@code /dev/token}. */
  @JsonProperty public boolean dev = false;
  /** Root log level: error, warn, info, debug or trace. */
  @JsonProperty public String logLevel = "info";

  /** The HTTP bind address in effect. */
  public String httpBind() {
    return http.bind != null ? http.bind : dev ? "127.0.0.1" : "0.0.0.0";
  }

  /** The media bind address in effect. */
  public String mediaBind() {
    return media.bind != null ? media.bind : dev ? "127.0.0.1" : "0.0.0.0";
  }

  /** Minimum secret length: HS256 needs a 256-bit key (RFC 7518 §3.2). */
  public static final int MIN_SECRET_LENGTH = 32;

  /** Checks the merged configuration; throws {@link ConfigException} with a one-line reason. */
  public void validate() {
    checkPort("http.port", http.port);
    checkPort("media.port", media.port);
    if (!List.of("error", "warn", "info", "debug", "trace").contains(logLevel.toLowerCase())) {
      throw new ConfigException(
          "logLevel must be one of error, warn, info, debug, trace; got '" + logLevel + "'");
    }
    if (keys.isEmpty() && !dev) {
      throw new ConfigException(
          "no API keys configured: add 'keys' to the config file, set FANOUT_KEYS=key:secret, "
              + "pass --key key:secret, or run with --dev");
    }
    keys.forEach(
        (key, secret) -> {
          if (key == null || key.isBlank()) {
            throw new ConfigException("an API key name is empty");
          }
          if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new ConfigException(
                "the secret of API key '" + key + "' must be at least " + MIN_SECRET_LENGTH
                    + " characters");
          }
        });
    if (tokens.maxLifetimeSeconds < 60 || tokens.maxLifetimeSeconds > 366L * 24 * 3600) {
      throw new ConfigException("tokens.maxLifetimeSeconds must be 60..31622400 (one minute to 366 days), got "
          + tokens.maxLifetimeSeconds);
    }
    for (String url : webhooks.urls) {
      java.net.URI u;
      try {
        u = new java.net.URI(url);
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException("webhooks.urls: '" + url + "' is not a URL");
      }
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new ConfigException("webhooks.urls: '" + url + "' must be an http:// or https:// URL with a host");
      }
    }
    if (webhooks.apiKey != null && !keys.containsKey(webhooks.apiKey)) {
      throw new ConfigException("webhooks.apiKey '" + webhooks.apiKey + "' is not one of the configured keys");
    }
    if ((media.certificateFile == null) != (media.privateKeyFile == null)) {
      throw new ConfigException("media.certificateFile and media.privateKeyFile go together: set both or neither");
    }
    if (media.consentTimeoutSeconds < 1 || media.connectTimeoutSeconds < 1) {
      throw new ConfigException("media.consentTimeoutSeconds and media.connectTimeoutSeconds must be at least 1");
    }
    if (media.dtlsMaxHandshakes < 1 || media.dtlsHandshakeTimeoutSeconds < 1
        || media.dtlsSilenceTimeoutMillis < 100) {
      throw new ConfigException("media.dtlsMaxHandshakes and media.dtlsHandshakeTimeoutSeconds must be at least 1,"
          + " media.dtlsSilenceTimeoutMillis at least 100");
    }
    if (limits.maxParticipantsPerRoom < 1
        || limits.maxTracksPerParticipant < 1
        || limits.maxMessageBytes < 1024
        || limits.maxConnections < 1
        || limits.maxConnectionsPerAddress < 1
        || limits.handshakeTimeoutSeconds < 1
        || limits.joinTimeoutSeconds < 1) {
      throw new ConfigException(
          "limits must be positive (maxMessageBytes at least 1024)");
    }
    if (limits.maxOutgoingBytes < MIN_OUTGOING_BYTES) {
      throw new ConfigException("limits.maxOutgoingBytes must be at least " + MIN_OUTGOING_BYTES
          + " (the server's own largest messages must fit)");
    }
    for (String origin : http.allowedOrigins) {
      if (origin == null || !origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        throw new ConfigException("http.allowedOrigins: '" + origin
            + "' is not an origin; write scheme://host or scheme://host:port (no path), or *");
      }
    }
  }

  /** The smallest {@code limits.maxOutgoingBytes}: room for a large SDP offer and a join result. */
  public static final int MIN_OUTGOING_BYTES = 64 * 1024;
  /** An origin as browsers send it (RFC 6454 §6.1): scheme, host, optional port, nothing else. */
  private static final java.util.regex.Pattern ORIGIN =
      java.util.regex.Pattern.compile("(?i)https?://(\\[[0-9a-f:.]+\\]|[a-z0-9.-]+)(:[0-9]{1,5})?");

  private static void checkPort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new ConfigException(name + " must be 0..65535, got " + port);
    }
  }
}
