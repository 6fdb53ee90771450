package dev.fanout.server;

import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.ice.IceMux;
import dev.fanout.server.media.MediaEngine;
import dev.fanout.server.api.RoomService;
import dev.fanout.server.media.Router;
import dev.fanout.server.room.RoomObserver;
import dev.fanout.server.webhook.Webhooks;
import java.net.URI;
import dev.fanout.ice.net.MediaPort;
import dev.fanout.ice.net.NettyTransport;
import dev.fanout.rtp.srtp.SrtpCrypto;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.config.FanoutConfig;
import dev.fanout.server.http.HttpApi;
import dev.fanout.server.http.HttpLimits;
import dev.fanout.server.http.HttpServer;
import dev.fanout.server.http.Origins;
import dev.fanout.server.room.RoomManager;
import dev.fanout.server.signaling.MediaRequests;
import dev.fanout.server.signaling.SignalingStats;
import dev.fanout.server.signaling.SignalingSession;
import dev.fanout.server.signaling.WebSocketSignalingHandler;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fanout server: the HTTP/WebSocket listener and the shared UDP media port, each on its
 * own event-loop group. {@link #start} binds both or neither; {@link #close} stops within about
 * two seconds.
 */
public final class FanoutServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FanoutServer.class);
  /** Time given to open HTTP connections to finish before they are closed. */
  private static final long HTTP_GRACE_MILLIS = 1000;

  private final FanoutConfig config;
  private final NettyTransport transport;
  private final EventLoopGroup httpGroup;
  private final EventLoopGroup mediaGroup;
  private final MediaPort mediaPort;
  private final HttpServer http;
  private final Metrics metrics;
  private final AccessTokens tokens;
  private final RoomManager rooms;
  private final MediaEngine engine;
  private final Webhooks webhooks;
  private final long startNanos = System.nanoTime();
  private volatile boolean closed;

  private FanoutServer(FanoutConfig config, NettyTransport transport, EventLoopGroup httpGroup,
      EventLoopGroup mediaGroup, MediaPort mediaPort, HttpServer http, Metrics metrics,
      AccessTokens tokens, RoomManager rooms, MediaEngine engine, Webhooks webhooks) {
    this.rooms = rooms;
    this.engine = engine;
    this.webhooks = webhooks;
    this.config = config;
    this.transport = transport;
    this.httpGroup = httpGroup;
    this.mediaGroup = mediaGroup;
    this.mediaPort = mediaPort;
    this.http = http;
    this.metrics = metrics;
    this.tokens = tokens;
  }

  /**
   * Starts a server for a validated configuration. A bind failure closes whatever was already
   * started and is rethrown.
   */
  public static FanoutServer start(FanoutConfig config) throws Exception {
    config.validate();
    NettyTransport transport = NettyTransport.detect();
    EventLoopGroup httpGroup = transport.newEventLoopGroup(2, "fanout-http");
    // One media channel, so one loop: it receives, forwards and runs every room.
    EventLoopGroup mediaGroup = transport.newEventLoopGroup(1, "fanout-media");
    MediaPort mediaPort = null;
    DtlsStack dtls = null;
    Webhooks webhooks = null;
    try {
      IceMux mux = new IceMux(new IceMux.Config(Duration.ofSeconds(config.media.consentTimeoutSeconds),
          Duration.ofSeconds(config.media.connectTimeoutSeconds)), System::nanoTime, new java.security.SecureRandom());
      InetSocketAddress mediaAddress = new InetSocketAddress(config.mediaBind(), config.media.port);
      try {
        mediaPort = MediaPort.bind(transport, mediaGroup, mediaAddress, mux);
      } catch (java.io.IOException e) {
        throw bindFailure("media UDP", mediaAddress, e);
      }
      AccessTokens tokens = new AccessTokens(config.keys, Clock.systemUTC(),
          Duration.ofSeconds(config.tokens.maxLifetimeSeconds));
      MediaPort port = mediaPort;
      // Rooms live on the media port's event loop, so packets and room state never cross threads.
      dtls = new DtlsStack(certificate(config), dtlsConfig(config));
      MediaEngine engine = new MediaEngine(mux, dtls, advertisedIps(config, port.localAddress()),
          port.localAddress().getPort());
      webhooks = webhooks(config);
      FanoutServer[] self = new FanoutServer[1];
      RoomManager[] roomManager = new RoomManager[1];
      SignalingStats signalingStats = new SignalingStats();
      Metrics metrics = new Metrics(new Metrics.Sources(port.stats(), mux.stats(), dtls.stats(), engine.stats(),
          signalingStats, () -> roomManager[0].roomCount(), () -> roomManager[0].participantCount(),
          () -> self[0] == null ? 0 : self[0].http.connectionLimits().open(),
          () -> self[0] == null ? 0 : self[0].http.connectionLimits().refused()), config.metrics.perRoom);
      List<RoomObserver> observers = new ArrayList<>(List.of(metrics));
      if (webhooks != null) {
        observers.add(webhooks);
      }
      RoomManager rooms = new RoomManager(() -> port.channel().eventLoop(),
          (name, loop, listener) -> new Router(engine, loop, name, listener),
          RoomObserver.all(observers), config.limits.maxParticipantsPerRoom);
      roomManager[0] = rooms;
      MediaRequests media = new MediaRequests(config.limits.maxTracksPerParticipant);
      HttpApi api = new HttpApi(
          () -> self[0].health(),
          metrics::scrape,
          metrics.contentType(),
          config.dev ? (room, identity) -> self[0].mintDevToken(room, identity) : null,
          () -> new WebSocketSignalingHandler(
              connection -> new SignalingSession(connection, tokens, rooms, media, signalingStats),
              config.limits.maxMessageBytes,
              Duration.ofSeconds(config.limits.joinTimeoutSeconds),
              config.limits.maxOutgoingBytes),
          config.limits.maxMessageBytes,
          roomServiceRpc(new RoomService(rooms, tokens)));
      HttpLimits httpLimits = new HttpLimits(connectionCap(config.limits.maxConnections),
          config.limits.maxConnectionsPerAddress, Duration.ofSeconds(config.limits.handshakeTimeoutSeconds),
          config.limits.maxOutgoingBytes);
      InetSocketAddress httpAddress = new InetSocketAddress(config.httpBind(), config.http.port);
      HttpServer http;
      try {
        http = HttpServer.bind(httpGroup, transport.serverSocketChannelClass(), httpAddress, api, httpLimits,
            Origins.of(config.http.allowedOrigins, config.dev));
      } catch (java.io.IOException e) {
        throw bindFailure("HTTP", httpAddress, e);
      }
      self[0] = new FanoutServer(config, transport, httpGroup, mediaGroup, port, http, metrics, tokens, rooms, engine,
          webhooks);
      return self[0];
    } catch (Exception | Error e) {
      if (webhooks != null) {
        webhooks.close();
      }
      if (mediaPort != null) {
        mediaPort.close();
      }
      if (dtls != null) {
        dtls.close();
      }
      shutdown(httpGroup, mediaGroup);
      throw e;
    }
  }

  /**
   * File descriptors kept free of admitted HTTP connections: media, logs, jars, the JVM's own,
   * and refused connections while their answer goes out.
   */
  private static final int RESERVED_FDS = 256 + dev.fanout.server.http.ConnectionLimits.MAX_LINGERING;

  /**
   * The global connection cap in effect: the configured one, lowered to what the process's file
   * descriptor limit allows, so the cap (a clear refusal) is reached before the limit ("Too many
   * open files" on every accept, and no new socket for anyone).
   */
  static int connectionCap(int configured) {
    long fds = -1;
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      fds = unix.getMaxFileDescriptorCount();
    }
    if (fds <= 0 || configured <= fds - RESERVED_FDS) {
      return configured;
    }
    int cap = (int) Math.max(1, Math.min(Integer.MAX_VALUE, fds - RESERVED_FDS));
    LOG.warn("limits.maxConnections {} is more than the file descriptor limit ({}) allows; using {}",
        configured, fds, cap);
    return cap;
  }

  private static java.net.BindException bindFailure(String what, InetSocketAddress a, Exception e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    // Epoll reports "bind(..) failed: Address already in use"; keep only the reason.
    int colon = reason.lastIndexOf(": ");
    if (reason.startsWith("bind(") && colon > 0) {
      reason = reason.substring(colon + 2);
    }
    java.net.BindException b = new java.net.BindException("cannot bind " + what + " to " + hostPort(a) + ": " + reason);
    b.initCause(e);
    return b;
  }

  private String mintDevToken(String room, String identity) {
    String key = config.keys.keySet().iterator().next();
    Duration ttl = Duration.ofHours(6);
    return tokens.mint(key, new AccessTokens.Grant(room, identity, identity, true, true, null),
        ttl.compareTo(tokens.maxLifetime()) > 0 ? tokens.maxLifetime() : ttl);
  }

  /** The DTLS handshake limits of the configuration (docs/security.md, DTLS handshakes). */
  static dev.fanout.dtls.DtlsConfig dtlsConfig(FanoutConfig config) {
    return dev.fanout.dtls.DtlsConfig.defaults()
        .withMaxHandshakes(config.media.dtlsMaxHandshakes)
        .withHandshakeTimeout(Duration.ofSeconds(config.media.dtlsHandshakeTimeoutSeconds))
        .withSilenceTimeout(Duration.ofMillis(config.media.dtlsSilenceTimeoutMillis));
  }

  /** The configured DTLS certificate, or a new one. */
  private static DtlsCertificate certificate(FanoutConfig config) {
    if (config.media.certificateFile == null) {
      return DtlsCertificate.generate();
    }
    try {
      return DtlsCertificate.loadPem(java.nio.file.Path.of(config.media.certificateFile),
          java.nio.file.Path.of(config.media.privateKeyFile));
    } catch (java.io.IOException | RuntimeException e) {
      throw new dev.fanout.server.config.ConfigException("cannot load the DTLS certificate: " + e.getMessage());
    }
  }

  /** The DTLS certificate's SHA-256 fingerprint, as every SDP of this server states it. */
  public dev.fanout.dtls.Fingerprint dtlsFingerprint() {
    return engine.dtls().certificate().fingerprint();
  }

  /** Counters of the DTLS stack: handshakes in progress, refused, evicted, timed out. */
  public dev.fanout.dtls.DtlsStats dtlsStats() {
    return engine.dtls().stats();
  }

  /** The body of {@code /healthz}. */
  public Map<String, Object> health() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("status", closed ? "stopping" : "ok");
    h.put("version", BuildInfo.version());
    h.put("commit", BuildInfo.commit());
    h.put("uptimeSeconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos));
    h.put("rooms", rooms.roomCount());
    h.put("participants", rooms.participantCount());
    Map<String, Object> httpStats = new LinkedHashMap<>();
    httpStats.put("connections", http.connectionLimits().open());
    httpStats.put("maxConnections", http.connectionLimits().maxConnections());
    httpStats.put("refused", http.connectionLimits().refused());
    h.put("http", httpStats);
    Map<String, Object> media = new LinkedHashMap<>();
    media.put("port", mediaPort.localAddress().getPort());
    media.put("transport", transport.displayName());
    media.put("recvmmsg", mediaPort.batchedReceive());
    media.put("srtpOpenSsl", SrtpCrypto.isOpenSslLoaded());
    media.put("received", mediaPort.stats().snapshot());
    media.put("transports", engine.mux().transportCount());
    media.put("ice", engine.mux().stats().snapshot());
    h.put("media", media);
    return h;
  }

  /** The one line logged when the server is up. */
  public String startLine() {
    return "Fanout " + BuildInfo.describe() + " started"
        + (config.dev ? " in dev mode" : "")
        + ": http " + hostPort(httpAddress()) + " (WebSocket " + HttpServer.RTC_PATH + ")"
        + ", media udp " + hostPort(mediaAddress())
        + " via " + transport.displayName() + (mediaPort.batchedReceive() ? " with recvmmsg" : "")
        + (transport == NettyTransport.NIO && NettyTransport.epollUnavailableReason() != null
            ? " (epoll unavailable: " + NettyTransport.epollUnavailableReason() + ")" : "")
        + ", advertised " + advertisedIps()
        + ", SRTP crypto " + (SrtpCrypto.isOpenSslLoaded() ? "OpenSSL (jitsi-srtp native)" : "Java (OpenSSL not loaded)");
  }

  /** Host candidates' addresses: the configured ones, else the bind address (loopback for any). */
  public List<String> advertisedIps() {
    return advertisedIps(config, mediaAddress());
  }

  private static List<String> advertisedIps(FanoutConfig config, InetSocketAddress media) {
    if (!config.media.advertisedIps.isEmpty()) {
      return List.copyOf(config.media.advertisedIps);
    }
    List<String> ips = new ArrayList<>();
    ips.add(media.getAddress().isAnyLocalAddress() ? "127.0.0.1" : media.getAddress().getHostAddress());
    return ips;
  }

  public InetSocketAddress httpAddress() {
    return http.localAddress();
  }

  public InetSocketAddress mediaAddress() {
    return mediaPort.localAddress();
  }

  public MediaPort mediaPort() {
    return mediaPort;
  }

  public Metrics metrics() {
    return metrics;
  }

  public RoomManager rooms() {
    return rooms;
  }

  public AccessTokens tokens() {
    return tokens;
  }

  public FanoutConfig config() {
    return config;
  }

  /** Stops accepting, lets HTTP finish for up to a second, closes every socket and thread. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.close(HTTP_GRACE_MILLIS);
    mediaPort.close();
    engine.close();
    if (webhooks != null) {
      webhooks.close();
    }
    shutdown(httpGroup, mediaGroup);
    LOG.info("Fanout stopped");
  }

  /** The room service as the HTTP layer calls it: JSON bytes in and out. */
  private static HttpApi.Rpc roomServiceRpc(RoomService service) {
    return (method, authorization, body) -> service.call(method, authorization, body).thenApply(r -> {
      try {
        return new HttpApi.RpcResponse(r.status(), dev.fanout.server.signaling.SignalingCodec.JSON.writeValueAsBytes(r.body()));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** The webhook poster of the configuration, or null without webhook URLs. */
  private static Webhooks webhooks(FanoutConfig config) {
    if (config.webhooks.urls.isEmpty()) {
      return null;
    }
    String key = config.webhooks.apiKey != null ? config.webhooks.apiKey : config.keys.keySet().iterator().next();
    List<URI> urls = config.webhooks.urls.stream().map(URI::create).toList();
    LOG.info("webhooks: posting room events to {} signed with key '{}'", config.webhooks.urls, key);
    return new Webhooks(urls, key, config.keys.get(key), Clock.systemUTC());
  }

  private static void shutdown(EventLoopGroup... groups) {
    for (EventLoopGroup g : groups) {
      g.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS);
    }
    for (EventLoopGroup g : groups) {
      g.terminationFuture().awaitUninterruptibly(1000);
    }
  }

  static String hostPort(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
