package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The SDK's client over the real /rtc WebSocket, without media: dev-mode join, presence events
 * between pages, leave, replacement by the same identity and reconnection after a dropped
 * socket.
 */
class SignalingBrowserTest extends BrowserTestBase {

  private static List<String> uids(BrowserPage page, String client) {
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) page.run("return H.clients[arguments[0]].remoteUsers.map(u => u.uid).sort()", client);
    return list;
  }

  @Test
  void theBrowsersCompressedWebSocketMessagesAreUnderstood() {
    // Chromium always offers permessage-deflate and compresses every message once the server
    // accepts it; the server must then accept frames with RSV1 set.
    BrowserPage page = page();
    String outcome = page.text("const ws = new WebSocket(location.origin.replace('http', 'ws') + '/rtc');"
        + "await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });"
        + "const answer = new Promise(ok => {"
        + "  ws.onmessage = m => ok('answer ' + m.data);"
        + "  ws.onclose = e => ok('closed ' + e.code + ' ' + e.reason); });"
        + "ws.send(JSON.stringify({ v: 1, id: 1, method: 'ping' }));"
        + "const out = await answer; ws.close();"
        + "return 'extensions=' + ws.extensions + ' ' + out;");
    assertThat(outcome)
        .as("the server accepted permessage-deflate but rejected the compressed frame; its WebSocket "
            + "protocol config needs allowExtensions(true) (HttpServer)")
        .endsWith("answer {\"v\":1,\"id\":1,\"result\":{}}");
  }

  @Test
  void devModeJoinThenPeersSeeEachOtherJoinAndLeave() {
    String room = newRoom();
    BrowserPage alice = page();
    BrowserPage bob = page();

    assertThat(alice.text("return await H.join('a', arguments[0], 'alice')", room)).isEqualTo("alice");
    assertThat(alice.run("return [H.clients.a.uid, H.clients.a.room, H.clients.a.connectionState]"))
        .isEqualTo(List.of("alice", room, "CONNECTED"));
    assertThat(bob.text("return await H.join('b', arguments[0], 'bob')", room)).isEqualTo("bob");

    // The newcomer learns about those already there; those already there are told.
    bob.run("await H.waitEvent('b', 'user-joined', 'alice')");
    alice.run("await H.waitEvent('a', 'user-joined', 'bob')");
    assertThat(uids(alice, "a")).containsExactly("bob");
    assertThat(uids(bob, "b")).containsExactly("alice");
    assertThat(alice.run("const u = H.clients.a.remoteUsers[0];"
        + "return [u.hasAudio, u.hasVideo, u.tracks.length, u.audioTrack === undefined, u.videoTrack === undefined]"))
        .isEqualTo(List.of(false, false, 0L, true, true));

    bob.run("await H.clients.b.leave()");
    assertThat(bob.run("return [H.clients.b.connectionState, H.clients.b.uid, H.clients.b.remoteUsers.length]"))
        .isEqualTo(Arrays.asList("DISCONNECTED", null, 0L));
    alice.run("await H.waitEvent('a', 'user-left', 'bob')");
    assertThat(alice.text("return H.log.find(e => e.client === 'a' && e.ev === 'user-left').detail")).isEqualTo("left");
    assertThat(uids(alice, "a")).isEmpty();
    assertThat(bob.text("return H.log.filter(e => e.ev === 'connection-state-change').map(e => e.detail.trim()).join(', ')"))
        .isEqualTo("DISCONNECTED->CONNECTING, CONNECTING->CONNECTED, CONNECTED->DISCONNECTING LEAVE, DISCONNECTING->DISCONNECTED LEAVE");

    // A client can join again after leaving.
    assertThat(bob.text("return await H.clients.b.join({ room: arguments[0], identity: 'bob' })", room)).isEqualTo("bob");
    alice.run("await H.waitEvent('a', 'user-joined', 'bob', 2)");
    Map<String, Object> twice = bob.object("const e = await H.errorOf(() => H.clients.b.join({ room: arguments[0], identity: 'bob' }));"
        + "return e", room);
    assertThat(twice).containsEntry("code", "INVALID_OPERATION");
  }

  @Test
  void threeParticipantsEachSeeTheOtherTwo() {
    String room = newRoom();
    BrowserPage[] pages = {page(), page(), page()};
    String[] names = {"ann", "ben", "cat"};
    for (int i = 0; i < 3; i++) {
      pages[i].run("await H.join('c', arguments[0], arguments[1])", room, names[i]);
    }
    for (int i = 0; i < 3; i++) {
      pages[i].run("await H.waitFor(() => H.clients.c.remoteUsers.length === 2, 5000, 'two others')");
      List<String> expected = new java.util.ArrayList<>(List.of(names));
      expected.remove(names[i]);
      assertThat(uids(pages[i], "c")).as("%s sees", names[i]).containsExactlyElementsOf(expected);
      assertThat(pages[i].number("return H.count('c', 'user-joined')")).isEqualTo(2);
    }
  }

  @Test
  void theSameIdentityJoiningElsewhereReplacesTheClientWhichDoesNotFightBack() {
    String room = newRoom();
    BrowserPage watcher = page();
    BrowserPage first = page();
    BrowserPage second = page();
    watcher.run("await H.join('w', arguments[0], 'watcher')", room);
    first.run("await H.join('x', arguments[0], 'dana')", room);
    watcher.run("await H.waitEvent('w', 'user-joined', 'dana')");
    second.run("await H.join('y', arguments[0], 'dana')", room);

    first.run("await H.waitFor(() => H.clients.x.connectionState === 'DISCONNECTED', 5000, 'replaced')");
    assertThat(first.text("return H.log.filter(e => e.ev === 'connection-state-change').pop().detail.trim()"))
        .isEqualTo("CONNECTED->DISCONNECTED REPLACED");
    watcher.run("await H.waitEvent('w', 'user-joined', 'dana', 2)");
    assertThat(watcher.text("return H.log.find(e => e.ev === 'user-left').detail")).isEqualTo("replaced");
    // The replaced client stays down: no reconnection war between the two.
    first.run("await H.sleep(1500)");
    assertThat(first.text("return H.clients.x.connectionState")).isEqualTo("DISCONNECTED");
    assertThat(second.text("return H.clients.y.connectionState")).isEqualTo("CONNECTED");
    assertThat(watcher.number("return H.count('w', 'user-joined', 'dana')")).isEqualTo(2);
  }

  @Test
  void aDroppedWebSocketReconnectsRejoinsAndPeersSeeTheClientAgain() {
    String room = newRoom();
    BrowserPage alice = page();
    BrowserPage bob = page();
    alice.run("await H.join('a', arguments[0], 'alice')", room);
    bob.run("await H.join('b', arguments[0], 'bob')", room);
    alice.run("await H.waitEvent('a', 'user-joined', 'bob')");
    bob.run("await H.waitEvent('b', 'user-joined', 'alice')");

    bob.run("H.dropSocket()");
    bob.run("await H.waitFor(() => H.log.some(e => e.ev === 'connection-state-change' && e.detail.startsWith('CONNECTED->RECONNECTING')), 3000, 'reconnecting')");
    bob.run("await H.waitFor(() => H.clients.b.connectionState === 'CONNECTED' && H.sockets.length === 2, 10000, 'reconnected')");
    alice.run("await H.waitEvent('a', 'user-left', 'bob')");
    alice.run("await H.waitEvent('a', 'user-joined', 'bob', 2)");
    assertThat(uids(alice, "a")).containsExactly("bob");

    // Bob's view of the room survived: alice is the same user object, not announced twice.
    assertThat(uids(bob, "b")).containsExactly("alice");
    assertThat(bob.number("return H.count('b', 'user-joined', 'alice')")).isEqualTo(1);
    assertThat(bob.number("return H.count('b', 'user-left')")).isZero();

    // And the new connection works: a newcomer is seen, leave is seen.
    BrowserPage cat = page();
    cat.run("await H.join('c', arguments[0], 'cat')", room);
    bob.run("await H.waitEvent('b', 'user-joined', 'cat')");
    bob.run("await H.clients.b.leave()");
    alice.run("await H.waitEvent('a', 'user-left', 'bob', 2)");
  }

  @Test
  void joinWithATokenForAnotherRoomIsRefusedWithInvalidParams() {
    String room = newRoom();
    String token = server.tokens().mint(KEY,
        new dev.fanout.server.auth.AccessTokens.Grant(room, "carol", null, true, true, null), java.time.Duration.ofMinutes(5));
    BrowserPage page = page();
    Map<String, Object> refused = page.object("const c = H.client('c');"
        + "const e = await H.errorOf(() => c.join({ room: arguments[0] + '-elsewhere', token: arguments[1] }));"
        + "return Object.assign(e, { state: c.connectionState, room: String(c.room) })", room, token);
    assertThat(refused).containsEntry("code", "INVALID_PARAMS").containsEntry("isFanoutError", true)
        .containsEntry("state", "DISCONNECTED").containsEntry("room", "null");
    assertThat((String) refused.get("message")).contains("params.room is not the room of the token");
    assertThat(server.rooms().participantCount()).isZero();

    // The same client then joins the token's room.
    assertThat(page.text("return await H.clients.c.join({ room: arguments[0], token: arguments[1] })", room, token))
        .isEqualTo("carol");
    assertThat(page.run("return H.clients.c.room")).isEqualTo(room);
  }
}
