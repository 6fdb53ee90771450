package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.RoomServiceClient;
import dev.fanout.client.RoomServiceClient.ApiException;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.auth.AccessTokens.AdminGrant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The room service API as an app's backend uses it, through the Java client, against a real
 * server that real clients are in: what it reports is what the room holds, and what it does
 * (remove, mute, update, delete) reaches the clients.
 */
class RoomServiceTest {
  private static final Duration T = Duration.ofSeconds(20);
  private ClientHarness h;
  private URI base;

  @BeforeEach
  void start() throws Exception {
    h = new ClientHarness();
    base = URI.create("http://127.0.0.1:" + h.server.httpAddress().getPort());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private RoomServiceClient admin(boolean list, boolean create, boolean admin, String room) {
    return new RoomServiceClient(base, h.server.tokens().mintAdmin(ClientHarness.KEY,
        new AdminGrant(ClientHarness.KEY, list, create, admin, room), Duration.ofMinutes(5)));
  }

  @Test
  void aBackendSeesTheRoomAndItsActionsReachTheClients() throws Exception {
    RoomServiceClient api = admin(true, true, true, null);
    FanoutClient alice = h.join("r", "alice");
    List<String> aliceEvents = new CopyOnWriteArrayList<>();
    alice.onEvent((name, data) -> aliceEvents.add(name + " " + data));
    LocalTrack cam = LocalTrack.video("camera");
    alice.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(alice, cam, null, 300_000, 30)) {
      FanoutClient bob = h.join("r", "bob");
      ClientHarness.Recorder rec = new ClientHarness.Recorder();
      bob.onRtp(rec);
      bob.subscribe(cam.trackId());
      ClientHarness.await("video at bob", T, () -> rec.media(cam.trackId()).size() > 10);

      assertThat(api.listRooms()).singleElement().satisfies(room -> {
        assertThat(room.name()).isEqualTo("r");
        assertThat(room.numParticipants()).isEqualTo(2);
        assertThat(room.numPublishers()).isEqualTo(1);
      });
      List<RoomServiceClient.ParticipantInfo> people = api.listParticipants("r");
      assertThat(people).extracting(RoomServiceClient.ParticipantInfo::identity).containsExactly("alice", "bob");
      assertThat(people.get(0).tracks()).containsExactly(
          new RoomServiceClient.TrackInfo(cam.trackId(), "video", "camera", false));

      // Update: everyone hears of it, the participant included.
      RoomServiceClient.ParticipantInfo updated = api.updateParticipant("r", "alice", "Alice A.", "{\"role\":\"host\"}");
      assertThat(updated.name()).isEqualTo("Alice A.");
      assertThat(updated.metadata()).isEqualTo("{\"role\":\"host\"}");
      ClientHarness.await("participant-updated at alice", T,
          () -> aliceEvents.stream().anyMatch(e -> e.startsWith("participant-updated") && e.contains("Alice A.")));

      // Mute: the server forwards nothing of the track, whatever the publisher sends.
      assertThat(api.mutePublishedTrack("r", "alice", cam.trackId(), true).muted()).isTrue();
      ClientHarness.await("alice told of the server mute", T,
          () -> aliceEvents.stream().anyMatch(e -> e.startsWith("track-muted") && e.contains("\"byServer\":true")));
      awaitSilence(rec, cam.trackId());
      assertThat(api.getParticipant("r", "alice").tracks().get(0).muted()).isTrue();
      List<ClientHarness.Received> beforeUnmute = rec.media(cam.trackId());
      api.mutePublishedTrack("r", "alice", cam.trackId(), false);
      int before = beforeUnmute.size();
      ClientHarness.await("video again after unmute", T, () -> rec.media(cam.trackId()).size() > before + 10);
      // The stream goes on where it stopped, from a keyframe: nothing looks lost to bob.
      ClientHarness.Received last = beforeUnmute.get(before - 1);
      ClientHarness.Received resumed = rec.media(cam.trackId()).get(before);
      assertThat(resumed.seq()).as("the first sequence number after the unmute").isEqualTo((last.seq() + 1) & 0xffff);
      assertThat(resumed.keyframe()).as("the first packet after the unmute starts a keyframe").isTrue();
      assertThat((resumed.timestamp() - last.timestamp()) & 0xffffffffL).as("the timestamp advanced by the muted time")
          .isGreaterThan(90_000L * (resumed.nanos() - last.nanos()) / 1_000_000_000L / 2);

      // Remove: bob's connection closes and the room no longer lists him.
      api.removeParticipant("r", "bob");
      assertThat(bob.signaling().closed().get(20, TimeUnit.SECONDS)).isEqualTo(4006);
      assertThat(api.listParticipants("r")).extracting(RoomServiceClient.ParticipantInfo::identity).containsExactly("alice");
    }

    // Delete: everyone is disconnected and the room is gone.
    api.deleteRoom("r");
    assertThat(alice.signaling().closed().get(20, TimeUnit.SECONDS)).isEqualTo(4005);
    ClientHarness.await("no rooms", T, () -> {
      try {
        return api.listRooms().isEmpty();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Waits until no packet of {@code trackId} has arrived for a second (deadline {@link #T}). */
  private static void awaitSilence(ClientHarness.Recorder rec, String trackId) throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    int last = rec.media(trackId).size();
    long quietSince = System.nanoTime();
    while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(1)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("packets kept arriving after the server mute");
      }
      Thread.sleep(50);
      int now = rec.media(trackId).size();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
  }

  @Test
  void aCreatedRoomWaitsForItsEmptyTimeoutThenCloses() throws Exception {
    RoomServiceClient api = admin(true, true, false, null);
    RoomServiceClient.RoomInfo room = api.createRoom("planned", 3, 2);
    assertThat(room.maxParticipants()).isEqualTo(3);
    assertThat(room.emptyTimeoutSeconds()).isEqualTo(2);
    assertThat(api.listRooms()).extracting(RoomServiceClient.RoomInfo::name).containsExactly("planned");

    FanoutClient carol = h.join("planned", "carol");
    // The room empties after this instant, so it may close no earlier than 2 s after it; a busy
    // machine can only make it later, so the lower bound holds however slow the run.
    long beforeLeave = System.nanoTime();
    carol.leave();
    ClientHarness.await("the room closes after its empty timeout", T, () -> {
      try {
        return api.listRooms().isEmpty();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(Duration.ofNanos(System.nanoTime() - beforeLeave)).as("open for its empty timeout after its last participant left")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void callsWithoutTheRightGrantOrWithBadInputAreRefusedWithTheirCode() throws Exception {
    h.join("r", "alice");
    assertThat(code(() -> admin(true, false, false, null).createRoom("x", 0, 0))).isEqualTo("403 permission_denied");
    assertThat(code(() -> admin(false, true, true, null).listRooms())).isEqualTo("403 permission_denied");
    assertThat(code(() -> admin(true, true, true, "other").listParticipants("r"))).isEqualTo("403 permission_denied");
    assertThat(code(() -> admin(true, true, true, "r").listParticipants("r"))).isEqualTo("200");
    assertThat(code(() -> admin(true, true, true, null).listParticipants("nowhere"))).isEqualTo("404 not_found");
    assertThat(code(() -> {
      admin(true, true, true, null).removeParticipant("r", "nobody");
      return null;
    })).isEqualTo("404 not_found");
    assertThat(code(() -> admin(true, true, true, null).mutePublishedTrack("r", "alice", "TR_none", true)))
        .isEqualTo("404 not_found");
    assertThat(code(() -> admin(true, true, true, null).createRoom("bad room\u0007", 0, 0))).isEqualTo("400 invalid_argument");
    // A participant's token is not an admin token.
    assertThat(code(() -> new RoomServiceClient(base, h.token("r", "alice", true, true)).listRooms()))
        .isEqualTo("403 permission_denied");
    assertThat(code(() -> new RoomServiceClient(base, "not-a-jwt").listRooms())).isEqualTo("401 unauthenticated");

    HttpClient http = HttpClient.newHttpClient();
    String token = h.server.tokens().mintAdmin(ClientHarness.KEY, new AdminGrant(null, true, true, true, null),
        Duration.ofMinutes(5));
    assertThat(post(http, "ListRooms", null, "{}").statusCode()).isEqualTo(401);
    HttpResponse<String> malformed = post(http, "ListRooms", token, "{not json");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("\"code\":\"malformed\"");
    assertThat(post(http, "Nope", token, "{}").body()).contains("\"code\":\"bad_route\"");
    HttpResponse<String> negative = post(http, "CreateRoom", token, "{\"name\":\"x\",\"emptyTimeout\":-1}");
    assertThat(negative.statusCode()).isEqualTo(400);
    assertThat(negative.body()).contains("emptyTimeout must be a whole number");
    HttpResponse<String> notAList = post(http, "SendData", token, "{\"room\":\"r\",\"data\":\"aGk=\",\"destinationIdentities\":\"alice\"}");
    assertThat(notAList.statusCode()).isEqualTo(400);
    assertThat(notAList.body()).contains("destinationIdentities must be an array of strings");
    assertThat(post(http, "ListRooms", token, "{\"names\":[\"r\",7]}").body()).contains("names must be an array of strings");
    assertThat(http.send(HttpRequest.newBuilder(base.resolve("/twirp/fanout.RoomService/ListRooms")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
  }

  @Test
  void theCommandLineCallsTheSameApi() throws Exception {
    FanoutClient dave = h.join("cli", "dave");
    LocalTrack mic = LocalTrack.audio("microphone");
    dave.publish(mic);
    String[] server = {"--url", base.toString(), "--key", ClientHarness.KEY + ":" + dev.fanout.server.TestServers.SECRET};

    assertThat(cli("room", "create", "later", "--empty-timeout", "60", "--max-participants", "4"))
        .isEqualTo("0|later\tmax=4\temptyTimeout=60s\n|");
    assertThat(cli(concat(new String[] {"room", "list"}, server)))
        .contains("cli\tparticipants=1\tpublishers=1").contains("later\tparticipants=0");
    assertThat(cli(concat(new String[] {"participant", "list", "cli"}, server)))
        .isEqualTo("0|dave\tname=dave\t" + mic.trackId() + " audio microphone\n|");
    assertThat(cli(concat(new String[] {"participant", "mute", "cli", "dave", mic.trackId()}, server)))
        .isEqualTo("0|" + mic.trackId() + " muted\n|");
    assertThat(cli(concat(new String[] {"participant", "list", "cli"}, server))).contains("audio microphone *");
    assertThat(cli(concat(new String[] {"participant", "remove", "cli", "nobody"}, server)))
        .isEqualTo("1||fanout: 404 not_found: no participant 'nobody' in room 'cli'\n");
    assertThat(cli(concat(new String[] {"room", "delete", "cli"}, server))).isEqualTo("0||");
    assertThat(dave.signaling().closed().get(20, TimeUnit.SECONDS)).isEqualTo(4005);
  }

  private String cli(String... args) {
    if (!java.util.Arrays.asList(args).contains("--url")) {
      args = concat(args, new String[] {"--url", base.toString(), "--key",
          ClientHarness.KEY + ":" + dev.fanout.server.TestServers.SECRET});
    }
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int status = dev.fanout.server.Main.run(args, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
    return status + "|" + out.toString().replace(System.lineSeparator(), "\n") + "|"
        + err.toString().replace(System.lineSeparator(), "\n");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private HttpResponse<String> post(HttpClient http, String method, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/twirp/fanout.RoomService/" + method))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private interface Call {
    Object run() throws Exception;
  }

  /** "200", or the refusal as "status code". */
  private static String code(Call call) throws Exception {
    try {
      call.run();
      return "200";
    } catch (ApiException e) {
      return e.status() + " " + e.code();
    }
  }
}
