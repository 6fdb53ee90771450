package dev.fanout.server;

import dev.fanout.client.RoomServiceClient;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.auth.DevKey;
import dev.fanout.server.config.FanoutConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fanout room …} and {@code fanout participant …}: the room service API from the command
 * line (docs/server-api.md). Each command signs a short admin token with a configured key, as
 * the server would verify it, and calls the server at {@code --url}.
 */
final class AdminCommands {
  private AdminCommands() {}

  /** Options every admin command takes: where the server is and which key signs. */
  static class Connection {
    @CommandLine.ParentCommand Object parentCommand;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
        description = "The server's HTTP address (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file with the keys.")
    Path configFile;

    @Option(names = "--key", paramLabel = "KEY:SECRET", description = "API key and its secret; repeatable.")
    List<String> keys;

    @Option(names = "--dev", description = "Sign with the dev key ('" + DevKey.KEY + "') when no key is configured.")
    boolean dev;

    @Option(names = "--api-key", description = "Which configured key signs (default: the first).")
    String apiKey;

    /** The top command, through {@code room} or {@code participant}. */
    Main main() {
      return parentCommand instanceof Room r ? r.main : ((Participant) parentCommand).main;
    }

    /** A client with an admin token of every grant, valid for a minute. */
    RoomServiceClient client() {
      FanoutConfig config = main().signingConfiguration(configFile, keys, dev);
      String key = Main.signingKey(config, apiKey, spec);
      AccessTokens tokens = new AccessTokens(config.keys, Clock.systemUTC(),
          Duration.ofSeconds(config.tokens.maxLifetimeSeconds));
      String token = tokens.mintAdmin(key, new AccessTokens.AdminGrant(key, true, true, true, null), Duration.ofMinutes(1));
      return new RoomServiceClient(url, token);
    }
  }

  /** Runs one call; a refusal prints the server's code and message and exits with 1. */
  private static int run(Main main, Call call) throws Exception {
    try {
      call.run();
      return 0;
    } catch (RoomServiceClient.ApiException e) {
      main.err.println("fanout: " + e.getMessage());
      return 1;
    } catch (java.net.ConnectException e) {
      main.err.println("fanout: no server answers at the --url given (" + e + ")");
      return 1;
    }
  }

  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  @Command(name = "room", mixinStandardHelpOptions = true, description = "List, create and delete rooms.",
      subcommands = {RoomList.class, RoomCreate.class, RoomDelete.class})
  static final class Room {
    @CommandLine.ParentCommand Main main;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List open rooms, one per line: name, participants, publishers.")
  static final class RoomList extends Connection implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Main main = main();
      return run(main, () -> {
        for (RoomServiceClient.RoomInfo r : client().listRooms()) {
          main.out.printf("%s\tparticipants=%d\tpublishers=%d\tmax=%d\temptyTimeout=%ds%n", r.name(),
              r.numParticipants(), r.numPublishers(), r.maxParticipants(), r.emptyTimeoutSeconds());
        }
      });
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Open a room with its own limits.")
  static final class RoomCreate extends Connection implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOM") String room;

    @Option(names = "--max-participants", description = "At most this many participants (default: the server's limit).")
    int maxParticipants;

    @Option(names = "--empty-timeout", paramLabel = "SECONDS", description = "Stay open this long without participants.")
    int emptyTimeout;

    @Override
    public Integer call() throws Exception {
      Main main = main();
      return run(main, () -> {
        RoomServiceClient.RoomInfo r = client().createRoom(room, maxParticipants, emptyTimeout);
        main.out.printf("%s\tmax=%d\temptyTimeout=%ds%n", r.name(), r.maxParticipants(), r.emptyTimeoutSeconds());
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Disconnect everyone in a room and close it.")
  static final class RoomDelete extends Connection implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOM") String room;

    @Override
    public Integer call() throws Exception {
      Main main = main();
      return run(main, () -> client().deleteRoom(room));
    }
  }

  @Command(name = "participant", mixinStandardHelpOptions = true, description = "List, remove and mute participants.",
      subcommands = {ParticipantList.class, ParticipantRemove.class, ParticipantMute.class})
  static final class Participant {
    @CommandLine.ParentCommand Main main;
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List a room's participants and their tracks (trackId kind source, * when muted).")
  static final class ParticipantList extends Connection implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOM") String room;

    @Override
    public Integer call() throws Exception {
      Main main = main();
      return run(main, () -> {
        for (RoomServiceClient.ParticipantInfo p : client().listParticipants(room)) {
          StringBuilder tracks = new StringBuilder();
          for (RoomServiceClient.TrackInfo t : p.tracks()) {
            tracks.append('\t').append(t.trackId()).append(' ').append(t.kind()).append(' ').append(t.source())
                .append(t.muted() ? " *" : "");
          }
          main.out.println(p.identity() + "\tname=" + p.name() + tracks);
        }
      });
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Disconnect a participant.")
  static final class ParticipantRemove extends Connection implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOM") String room;
    @Parameters(index = "1", paramLabel = "IDENTITY") String identity;

    @Override
    public Integer call() throws Exception {
      Main main = main();
      return run(main, () -> client().removeParticipant(room, identity));
    }
  }

  @Command(name = "mute", mixinStandardHelpOptions = true,
      description = "Mute a published track for everyone (the server stops forwarding it); --unmute undoes it.")
  static final class ParticipantMute extends Connection implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOM") String room;
    @Parameters(index = "1", paramLabel = "IDENTITY") String identity;
    @Parameters(index = "2", paramLabel = "TRACK_ID") String trackId;

    @Option(names = "--unmute", description = "Unmute instead.")
    boolean unmute;

    @Override
    public Integer call() throws Exception {
      Main main = main();
      return run(main, () -> {
        RoomServiceClient.TrackInfo t = client().mutePublishedTrack(room, identity, trackId, !unmute);
        main.out.println(t.trackId() + (t.muted() ? " muted" : " unmuted"));
      });
    }
  }
}
