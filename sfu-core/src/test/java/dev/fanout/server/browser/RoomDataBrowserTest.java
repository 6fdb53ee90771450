package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.RoomServiceClient;
import dev.fanout.server.auth.AccessTokens.AdminGrant;
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
 * at the publisher whose track an administrator muted.
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
    String room = newRoom();
    BrowserPage alice = page();
    BrowserPage bob = page();
    alice.run("await H.join('a', arguments[0], 'alice')", room);
    alice.run("H.tracks.v = H.Fanout.createCustomVideoTrack({ mediaStreamTrack: H.solidTrack('v', '#00f') });"
        + "await H.clients.a.publish(H.tracks.v)");
    bob.run("await H.join('b', arguments[0], 'bob')", room);
    bob.run("await H.waitEvent('b', 'user-published', 'alice')");

    api().updateParticipant(room, "alice", "Alice A.", "{\"role\":\"host\"}");
    bob.run("await H.waitEvent('b', 'user-updated', 'alice')");
    alice.run("await H.waitEvent('a', 'user-updated', 'alice')");
    assertThat(events(bob, "b", "user-updated")).containsExactly("alice:Alice A. {\"role\":\"host\"}");
    assertThat(events(alice, "a", "user-updated")).containsExactly("alice:Alice A. {\"role\":\"host\"}");
    assertThat(bob.run("const u = H.clients.b.remoteUsers[0]; return [u.name, u.metadata]"))
        .isEqualTo(List.of("Alice A.", "{\"role\":\"host\"}"));

    String trackId = alice.text("return H.tracks.v.publishedTrackId");
    api().mutePublishedTrack(room, "alice", trackId, true);
    alice.run("await H.waitEvent('a', 'track-muted-by-server')");
    bob.run("await H.waitEvent('b', 'user-info-updated', 'alice')");
    api().mutePublishedTrack(room, "alice", trackId, false);
    alice.run("await H.waitEvent('a', 'track-muted-by-server', undefined, 2)");
    bob.run("await H.waitEvent('b', 'user-info-updated', 'alice', 2)");
    assertThat(events(alice, "a", "track-muted-by-server")).containsExactly(":" + trackId + " true", ":" + trackId + " false");
    assertThat(events(bob, "b", "user-info-updated")).containsExactly("alice:mute-video", "alice:unmute-video");
  }
}
