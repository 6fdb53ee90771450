package dev.fanout.server;

import ch.qos.logback.classic.Level;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.auth.DevKey;
import dev.fanout.server.config.ConfigException;
import dev.fanout.server.config.ConfigLoader;
import dev.fanout.server.config.Durations;
import dev.fanout.server.config.FanoutConfig;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
    subcommands = {Main.TokenCommand.class, AdminCommands.Room.class, AdminCommands.Participant.class},
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
  @Option(names = "--dev", description = "Development mode: HTTP on 127.0.0.1:8080, media on "
      + "127.0.0.1:10000, /dev/token enabled and, unless keys are configured, the fixed key '"
      + DevKey.KEY + "' with secret '" + DevKey.SECRET + "' (loopback only).")
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

  PrintWriter out;
  PrintWriter err;

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
      ex.getCommandLine().getErr().println("fanout: " + ex.getMessage()
          + " (see " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
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

  /**
   * The configuration a signing subcommand ({@code token}, {@code room}, {@code participant})
   * uses: its own --config/--key/--dev win over those given before it; the dev key when asked and
   * none is configured; the server's own checks, so a short secret gets the server's message.
   */
  FanoutConfig signingConfiguration(Path configFile, List<String> keys, boolean dev) {
    if (configFile != null) {
      this.configFile = configFile;
    }
    if (keys != null) {
      this.keys = keys;
    }
    this.dev |= dev;
    FanoutConfig config = configuration(System.getenv());
    DevKey.applyTo(config);
    config.validate();
    return config;
  }

  /** The key that signs: {@code apiKey} if configured, else the first; a usage error otherwise. */
  static String signingKey(FanoutConfig config, String apiKey, CommandLine.Model.CommandSpec spec) {
    String key = apiKey != null ? apiKey : config.keys.keySet().iterator().next();
    if (!config.keys.containsKey(key)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--api-key '" + key + "' is not configured (configured: "
          + String.join(", ", config.keys.keySet()) + ")");
    }
    return key;
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
    boolean devKey = DevKey.applyTo(config);
    config.validate();
    if (devKey) {
      DevKey.requireLoopback(config);
    }
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
      out.println("Dev API key: " + key + "  secret: " + (devKey ? DevKey.SECRET + "  (fixed: tokens survive restarts)" : "(from configuration)"));
      out.println("Demo: http://localhost:" + server.httpAddress().getPort() + "/   tokens: /dev/token?room=R&identity=I");
    }
    stopped.await();
    return 0;
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
      description = {
          "Mint an access token (HS256 JWT) for a configured API key and print it.",
          "Keys come from --config FILE, FANOUT_KEYS, --key KEY:SECRET or --dev (the built-in dev "
              + "key), given before or after 'token'.",
          "--ttl is at most tokens.maxLifetimeSeconds (24h unless configured).",
          "Exit status: 0 with the token on stdout; 2 for a wrong flag; 1 for a configuration problem."})
  static final class TokenCommand implements Callable<Integer> {
    /** Used when --ttl is not given (capped at the configured maximum). */
    static final Duration DEFAULT_TTL = Duration.ofHours(6);

    @CommandLine.ParentCommand Main parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file with the keys.")
    Path configFile;

    @Option(names = "--key", paramLabel = "KEY:SECRET", description = "API key and its secret "
        + "(at least 32 characters); repeatable. Replaces keys from file and environment.")
    List<String> keys;

    @Option(names = "--dev", description = "Sign with the dev key ('" + DevKey.KEY + "') when no key is configured.")
    boolean dev;

    @Option(names = "--room", description = "Room the token admits to (with --admin: the one room it administers).")
    String room;

    @Option(names = "--identity", description = "Participant identity (JWT sub).")
    String identity;

    @Option(names = "--admin", description = "An admin token for the room service API (roomList, roomCreate and "
        + "roomAdmin; roomAdmin of --room only when given) instead of a participant's.")
    boolean admin;

    @Option(names = "--name", description = "Display name (default: the identity).")
    String name;

    @Option(names = "--publish", description = "Grant publishing. Without --publish and --subscribe both are granted.")
    boolean publish;

    @Option(names = "--subscribe", description = "Grant subscribing.")
    boolean subscribe;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Validity: 30m, 1h, 24h, 7d or ISO-8601 such as PT1H30M (default 6h).")
    Duration ttl;

    @Option(names = "--api-key", description = "Which configured key signs (default: the first).")
    String apiKey;

    @Override
    public Integer call() {
      FanoutConfig config = parent.signingConfiguration(configFile, keys, dev);
      Duration max = Duration.ofSeconds(config.tokens.maxLifetimeSeconds);
      Duration lifetime = ttl != null ? ttl : DEFAULT_TTL.compareTo(max) > 0 ? max : DEFAULT_TTL;
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw usage("--ttl must be positive, got " + Durations.format(lifetime));
      }
      if (lifetime.compareTo(max) > 0) {
        throw usage("--ttl " + Durations.format(lifetime) + " is longer than the maximum token lifetime of "
            + Durations.format(max) + " (tokens.maxLifetimeSeconds)");
      }
      String key = signingKey(config, apiKey, spec);
      boolean both = !publish && !subscribe;
      AccessTokens tokens = new AccessTokens(config.keys, Clock.systemUTC(), max);
      if (!admin && (room == null || identity == null)) {
        throw usage("--room and --identity are required (or --admin for a room service token)");
      }
      String token;
      try {
        token = admin
            ? tokens.mintAdmin(key, new AccessTokens.AdminGrant(key, true, true, true, room), lifetime)
            : tokens.mint(key,
                new AccessTokens.Grant(room, identity, name, both || publish, both || subscribe, null), lifetime);
      } catch (IllegalArgumentException e) {
        // A --room, --identity or --name the server would refuse.
        throw usage(e.getMessage());
      }
      parent.out.println(token);
      return 0;
    }

    private CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }

  /** {@code --ttl}: {@code 1h}, {@code 7d}, … or ISO-8601. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fanout " + BuildInfo.describe()};
    }
  }
}
