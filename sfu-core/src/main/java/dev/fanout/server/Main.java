package dev.fanout.server;

import ch.qos.logback.classic.Level;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.config.ConfigException;
import dev.fanout.server.config.ConfigLoader;
import dev.fanout.server.config.FanoutConfig;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fanout}: runs the server; {@code fanout token}: mints an access token. */
@Command(
    name = "fanout",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = {Main.TokenCommand.class},
    description = {
        "Fanout, a WebRTC selective forwarding unit.",
        "Configuration layers, each overriding the one before: defaults, --config FILE (YAML), "
            + "FANOUT_* environment variables, flags."},
    footer = {
        "",
        "Environment: FANOUT_HTTP_BIND, FANOUT_HTTP_PORT, FANOUT_MEDIA_BIND, FANOUT_MEDIA_PORT,",
        "  FANOUT_ADVERTISED_IPS (a,b), FANOUT_KEYS (key:secret,key2:secret2), FANOUT_DEV, FANOUT_LOG_LEVEL.",
        "See docs/configuration.md for the config file."})
public final class Main implements Callable<Integer> {
  static final String DEV_KEY = "devkey";

  @Option(names = "--dev", description = "Development mode: HTTP on 127.0.0.1:8080, media on "
      + "127.0.0.1:10000, a generated API key printed at start, /dev/token enabled.")
  boolean dev;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Option(names = "--http-bind", paramLabel = "ADDR", description = "HTTP/WebSocket bind address "
      + "(default 0.0.0.0; 127.0.0.1 in dev mode).")
  String httpBind;

  @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP/WebSocket port (default 8080).")
  Integer httpPort;

  @Option(names = "--media-bind", paramLabel = "ADDR", description = "Media UDP bind address "
      + "(default 0.0.0.0; 127.0.0.1 in dev mode).")
  String mediaBind;

  @Option(names = "--media-port", paramLabel = "PORT", description = "The single media UDP port (default 10000).")
  Integer mediaPort;

  @Option(names = "--advertise-ip", paramLabel = "IP", split = ",", description = "Address to "
      + "advertise in ICE candidates, e.g. the public side of a 1:1 NAT; repeatable.")
  List<String> advertisedIps;

  @Option(names = "--key", paramLabel = "KEY:SECRET", description = "API key and its secret "
      + "(at least 32 characters); repeatable. Replaces keys from file and environment.")
  List<String> keys;

  @Option(names = "--log-level", paramLabel = "LEVEL", description = "error, warn, info (default), debug or trace.")
  String logLevel;

  private PrintWriter out;
  private PrintWriter err;

  /** Entry point: exits with the command's status. */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns its exit status. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    main.out = out;
    main.err = err;
    CommandLine cl = new CommandLine(main);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      // One line, not the whole usage: the operator asked for a specific thing and got it wrong.
      ex.getCommandLine().getErr().println("fanout: " + ex.getMessage() + " (see fanout --help)");
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      boolean debug = LoggerFactory.getLogger(Main.class).isDebugEnabled();
      commandLine.getErr().println("fanout: " + describe(ex));
      if (debug) {
        ex.printStackTrace(commandLine.getErr());
      }
      return 1;
    });
    return cl.execute(args);
  }

  private static String describe(Throwable e) {
    if (e instanceof ConfigException || e instanceof BindException || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    return e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Builds the effective configuration: defaults, file, environment, then flags. */
  FanoutConfig configuration(Map<String, String> env) {
    FanoutConfig config = ConfigLoader.load(configFile, env);
    if (dev) {
      config.dev = true;
    }
    if (httpBind != null) {
      config.http.bind = httpBind;
    }
    if (httpPort != null) {
      config.http.port = httpPort;
    }
    if (mediaBind != null) {
      config.media.bind = mediaBind;
    }
    if (mediaPort != null) {
      config.media.port = mediaPort;
    }
    if (advertisedIps != null) {
      config.media.advertisedIps = advertisedIps;
    }
    if (keys != null) {
      config.keys.clear();
      keys.forEach(k -> ConfigLoader.putKey(config, "--key", k));
    }
    if (logLevel != null) {
      config.logLevel = logLevel;
    }
    return config;
  }

  @Override
  public Integer call() throws Exception {
    FanoutConfig config = configuration(System.getenv());
    String devSecret = null;
    if (config.dev && config.keys.isEmpty()) {
      devSecret = randomSecret();
      config.keys.put(DEV_KEY, devSecret);
    }
    config.validate();
    applyLogLevel(config.logLevel);
    Logger log = LoggerFactory.getLogger(Main.class);

    FanoutServer server = FanoutServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "fanout-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    log.info(server.startLine());
    if (config.dev) {
      String key = config.keys.keySet().iterator().next();
      out.println("Dev API key: " + key + "  secret: " + (devSecret != null ? devSecret : "(from configuration)"));
      out.println("Demo: http://localhost:" + server.httpAddress().getPort() + "/   tokens: /dev/token?room=R&identity=I");
    }
    stopped.await();
    return 0;
  }

  static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static void applyLogLevel(String level) {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(Level.toLevel(level, Level.INFO));
    }
  }

  /** {@code fanout token}: prints a signed access token for a configured API key. */
  @Command(name = "token", mixinStandardHelpOptions = true,
      description = "Mint an access token (HS256 JWT) for a configured API key.")
  static final class TokenCommand implements Callable<Integer> {
    @CommandLine.ParentCommand Main parent;

    @Option(names = "--room", required = true, description = "Room the token admits to.")
    String room;

    @Option(names = "--identity", required = true, description = "Participant identity (JWT sub).")
    String identity;

    @Option(names = "--name", description = "Display name (default: the identity).")
    String name;

    @Option(names = "--publish", description = "Grant publishing. Without --publish and --subscribe both are granted.")
    boolean publish;

    @Option(names = "--subscribe", description = "Grant subscribing.")
    boolean subscribe;

    @Option(names = "--ttl", defaultValue = "PT6H", description = "Validity as an ISO-8601 duration (default PT6H).")
    Duration ttl;

    @Option(names = "--api-key", description = "Which configured key signs (default: the first).")
    String apiKey;

    @Override
    public Integer call() {
      FanoutConfig config = parent.configuration(System.getenv());
      if (config.keys.isEmpty()) {
        throw new ConfigException("no API keys configured: use --config, FANOUT_KEYS or --key key:secret");
      }
      String key = apiKey != null ? apiKey : config.keys.keySet().iterator().next();
      boolean both = !publish && !subscribe;
      AccessTokens tokens = new AccessTokens(config.keys, Clock.systemUTC());
      parent.out.println(tokens.mint(key,
          new AccessTokens.Grant(room, identity, name, both || publish, both || subscribe, null), ttl));
      return 0;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fanout " + BuildInfo.version()};
    }
  }
}
