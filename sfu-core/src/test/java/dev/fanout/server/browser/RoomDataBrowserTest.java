package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.RoomServiceClient;
import dev.fanout.server.auth.AccessTokens.AdminGrant;
import dev.fanout.testkit.link.LinkEmulator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the SDK makes of data messages and of the room service API's actions, in Chromium:
 * {@code sendStreamMessage} and {@code stream-message} between pages and from the backend,
 * {@code user-updated} with a user's new name and metadata, and {@code track-muted-by-server}
 * at the publisher whose track an administrator muted, and the picture of that track coming back
 * after the unmute, through an emulated link, with nothing the server held back counted lost.
 */
class RoomDataBrowserTest extends BrowserTestBase {

  private static RoomServiceClient api() {
    return new RoomServiceClient(URI.create(baseUrl()), server.tokens().mintAdmin(KEY,
        new AdminGrant(KEY, true, true, true, null), Duration.ofMinutes(5)));
  }

  /** "uid:detail" of every event {@code ev} of client {@code client}, in order. */
  private static List<String> events(BrowserPage page, String client, String ev) {
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) page.run("return H.log.filter(e => e.client === arguments[0] && e.ev === arguments[1])"
        + ".map(e => (e.uid === undefined ? '' : String(e.uid)) + ':' + e.detail)", client, ev);
    return list;
  }

  private static String bytes(String text) {
    StringBuilder b = new StringBuilder();
    for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
      b.append(b.length() == 0 ? "" : ",").append(x & 0xff);
    }
    return b.toString();
  }

  @Test
  void streamMessagesGoToEveryoneElseOrToThoseNamedAndComeFromTheBackendWithoutASender() throws Exception {
    String room = newRoom();
    BrowserPage alice = page();
    BrowserPage bob = page();
    BrowserPage carol = page();
    alice.run("await H.join('a', arguments[0], 'alice')", room);
    bob.run("await H.join('b', arguments[0], 'bob')", room);
    carol.run("await H.join('c', arguments[0], 'carol')", room);
    alice.run("await H.waitFor(() => H.clients.a.remoteUsers.length === 2, 10000, 'two others')");

    assertThat(alice.number("return await H.clients.a.sendStreamMessage('hi, 世界')")).isEqualTo(2);
    bob.run("await H.waitEvent('b', 'stream-message', 'alice')");
    carol.run("await H.waitEvent('c', 'stream-message', 'alice')");
    assertThat(events(bob, "b", "stream-message")).containsExactly("alice:" + bytes("hi, 世界"));

    assertThat(bob.number("return await H.clients.b.sendStreamMessage(new Uint8Array([0, 255, 7]), { to: ['alice'] })"))
        .isEqualTo(1);
    alice.run("await H.waitEvent('a', 'stream-message', 'bob')");
    assertThat(events(alice, "a", "stream-message")).containsExactly("bob:0,255,7");

    assertThat(api().sendData(room, "from the backend".getBytes(StandardCharsets.UTF_8), "carol")).isEqualTo(1);
    carol.run("await H.waitFor(() => H.count('c', 'stream-message') === 2, 10000, 'the backend message')");
    assertThat(events(carol, "c", "stream-message"))
        .containsExactly("alice:" + bytes("hi, 世界"), "null:" + bytes("from the backend"));
    // Nobody got their own message, and bob got nothing meant for carol or alice only.
    assertThat(events(alice, "a", "stream-message")).containsExactly("bob:0,255,7");
    assertThat(events(bob, "b", "stream-message")).containsExactly("alice:" + bytes("hi, 世界"));

    Map<String, Object> tooBig = alice.object("return await H.errorOf(() => H.clients.a.sendStreamMessage(new Uint8Array(15 * 1024 + 1)))");
    assertThat(tooBig).containsEntry("code", "INVALID_PARAMS");
    Map<String, Object> notBytes = alice.object("return await H.errorOf(() => H.clients.a.sendStreamMessage({ text: 'hi' }))");
    assertThat(notBytes).containsEntry("code", "INVALID_PARAMS");
  }

  @Test
  void aNewNameAndMetadataAndAServerMuteReachTheSdk() throws Exception {
    try (LinkEmulator link = linkEmulator(7)) {
      link.down().delay(Duration.ofMillis(20));
      link.up().delay(Duration.ofMillis(20));
      String room = newRoom();
      BrowserPage alice = page();
      alice.run("await H.join('a', arguments[0], 'alice')", room);
      alice.run("H.tracks.v = H.Fanout.createCustomVideoTrack({ mediaStreamTrack: H.solidTrack('v', '#00f') });"
          + "await H.clients.a.publish(H.tracks.v)");
      // Bob plays whatever is published, his media through the emulated link.
      BrowserPage bob = participant(room, "bob", link, null, 0);
      bob.run("await H.framesUntil(await H.video('c', 'alice'), 30, 20000)");

      api().updateParticipant(room, "alice", "Alice A.", "{\"role\":\"host\"}");
      bob.run("await H.waitEvent('c', 'user-updated', 'alice')");
      alice.run("await H.waitEvent('a', 'user-updated', 'alice')");
      assertThat(events(bob, "c", "user-updated")).containsExactly("alice:Alice A. {\"role\":\"host\"}");
      assertThat(events(alice, "a", "user-updated")).containsExactly("alice:Alice A. {\"role\":\"host\"}");
      assertThat(bob.run("const u = H.clients.c.remoteUsers[0]; return [u.name, u.metadata]"))
          .isEqualTo(List.of("Alice A.", "{\"role\":\"host\"}"));

      String trackId = alice.text("return H.tracks.v.publishedTrackId");
      Map<String, Object> beforeMute = bob.object("return await H.inboundVideo('c', 'alice')");
      api().mutePublishedTrack(room, "alice", trackId, true);
      alice.run("await H.waitEvent('a', 'track-muted-by-server')");
      bob.run("await H.waitEvent('c', 'user-info-updated', 'alice')");
      // Held back for a while: the canvas keeps sending about 25 frames a second meanwhile.
      bob.run("await H.sleep(2000)");
      api().mutePublishedTrack(room, "alice", trackId, false);
      alice.run("await H.waitEvent('a', 'track-muted-by-server', undefined, 2)");
      bob.run("await H.waitEvent('c', 'user-info-updated', 'alice', 2)");
      assertThat(events(alice, "a", "track-muted-by-server")).containsExactly(":" + trackId + " true", ":" + trackId + " false");
      assertThat(events(bob, "c", "user-info-updated")).containsExactly("alice:mute-video", "alice:unmute-video");

      // The picture comes back, blue and moving, and what the server held back is no loss to bob.
      Map<String, Object> resumed = bob.object("return await H.framesUntil(await H.video('c', 'alice'), 30, 20000)");
      assertThat(((Number) resumed.get("presented")).intValue()).as("frames after the unmute: %s", resumed).isGreaterThanOrEqualTo(30);
      assertThat(resumed).containsEntry("width", 320L).containsEntry("height", 240L);
      @SuppressWarnings("unchecked")
      List<Number> rgb = (List<Number>) bob.run("return H.pixel(await H.video('c', 'alice'))");
      assertThat(rgb.get(2).intValue()).as("blue of %s", rgb).isGreaterThan(200);
      assertThat(rgb.get(0).intValue() + rgb.get(1).intValue()).as("red and green of %s", rgb).isLessThan(80);
      Map<String, Object> after = bob.object("return await H.inboundVideo('c', 'alice')");
      assertThat(((Number) after.get("lost")).longValue() - ((Number) beforeMute.get("lost")).longValue())
          .as("packets bob counts lost across the mute (%s, then %s)", beforeMute, after).isLessThan(5);
      assertThat(((Number) after.get("nacks")).longValue() - ((Number) beforeMute.get("nacks")).longValue())
          .as("NACKs bob sent across the mute").isLessThan(5);
    }
  }
}
