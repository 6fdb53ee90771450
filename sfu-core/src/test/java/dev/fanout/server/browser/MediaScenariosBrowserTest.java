package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sequences of publishing that once left a subscribed track silent or showed it in the wrong
 * place (subscribe resolved, no packet played, or another track's picture played). Each
 * participant's camera and screen show a colour of their own and each microphone a tone of its
 * own (the SDK's tracks with their source switched by {@code replaceMediaStreamTrack}), so the
 * test checks that every element shows the track it was given: its colour, its tone, moving
 * frames.
 */
class MediaScenariosBrowserTest extends BrowserTestBase {
  private static final int MOVING = 31;
  private static final String RED = "rgb(200, 30, 30)";
  private static final String GREEN = "rgb(30, 200, 30)";
  private static final String BLUE = "rgb(30, 30, 200)";
  private static final String YELLOW = "rgb(200, 200, 30)";

  /** Publishes a microphone playing a tone of {@code hz} and, unless colour is null, a camera showing colour. */
  private static void publishMicAndCamera(BrowserPage page, int hz, String colour) {
    page.run("const mic = await Fanout.createMicrophoneAudioTrack(); await mic.replaceMediaStreamTrack(H.tone(arguments[0]));"
        + "H.tracks.mic = mic; const list = [mic];"
        + "if (arguments[1]) { const cam = await Fanout.createCameraVideoTrack();"
        + "  await cam.replaceMediaStreamTrack(H.solidTrack('cam', arguments[1])); H.tracks.cam = cam; list.push(cam); }"
        + "await H.clients.c.publish(list);", hz, colour);
  }

  private static void publishCamera(BrowserPage page, String colour) {
    page.run("const cam = await Fanout.createCameraVideoTrack();"
        + "await cam.replaceMediaStreamTrack(H.solidTrack('cam', arguments[0])); H.tracks.cam = cam;"
        + "await H.clients.c.publish(cam);", colour);
  }

  private static void publishScreenWithAudio(BrowserPage page, String colour, int hz) {
    page.run("const [v, a] = await Fanout.createScreenVideoTrack({}, 'enable');"
        + "await v.replaceMediaStreamTrack(H.solidTrack('screen', arguments[0]));"
        + "await a.replaceMediaStreamTrack(H.tone(arguments[1]));"
        + "H.tracks.screen = v; H.tracks.screenAudio = a; await H.clients.c.publish([v, a]);", colour, hz);
  }

  /**
   * Waits until {@code uid}'s video (or screen) at {@code page} shows {@code colour} at its
   * centre, then for moving frames; returns the frames.
   */
  private static Map<String, Object> shows(BrowserPage page, String uid, String kind, String colour) {
    return page.object("const v = await H.video('c', arguments[0], arguments[1]);"
        + "const want = arguments[2].match(/\\d+/g).map(Number);"
        + "let seen = null;"
        + "await H.waitFor(() => { seen = H.pixel(v); return seen.every((x, i) => Math.abs(x - want[i]) < 50); }, 15000,"
        + "  arguments[1] + ' of ' + arguments[0] + ' in ' + arguments[2]).catch((e) => { throw new Error(e.message.split('\\n')[0] + ', shows ' + seen); });"
        + "return await H.framesUntil(v, arguments[3], 20000);", uid, kind, colour, MOVING);
  }

  private static void assertShows(BrowserPage page, String uid, String kind, String colour) {
    Map<String, Object> frames = shows(page, uid, kind, colour);
    assertThat(((Number) frames.get("presented")).intValue()).as("%s of %s: %s", kind, uid, frames)
        .isGreaterThanOrEqualTo(MOVING);
  }

  /** The tone {@code uid}'s audio (or screen audio) plays at {@code page}, in Hz. */
  private static int toneAt(BrowserPage page, String uid, String kind) {
    return (int) page.number("const a = await H.waitFor(() => H.media('c', arguments[0], arguments[1]), 15000, 'audio element');"
        + "let hz = 0; await H.waitFor(async () => { hz = await H.toneOf(a.srcObject.getAudioTracks()[0], 1000); return hz > 0; },"
        + "  15000, 'a tone').catch(() => {}); return hz;", uid, kind);
  }

  private static void assertTone(BrowserPage page, String uid, String kind, int hz) {
    assertThat(toneAt(page, uid, kind)).as("the tone of %s's %s", uid, kind).isBetween(hz - 25, hz + 25);
  }

  @Test
  void aScreenSharedAfterMicrophonesAndCamerasReachesAPeerThatTakesSoundBeforePictures() {
    String room = newRoom();
    BrowserPage alice = participant(room, "alice");
    // Bob subscribes to audio at once and to video a second later, so his sections are numbered
    // unlike alice's publish sections: her screen's mid is his screen audio's.
    BrowserPage bob = participant(room, "bob", null, null, 1000);
    publishMicAndCamera(alice, 440, RED);
    publishMicAndCamera(bob, 660, GREEN);
    alice.run("await H.waitEvent('c', 'subscribed', 'bob', 2, 15000)");
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 2, 15000)");

    publishScreenWithAudio(alice, BLUE, 880);
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 4, 15000)");
    assertShows(bob, "alice", "screen", BLUE);
    assertTone(bob, "alice", "screen-audio", 880);
    assertShows(bob, "alice", "video", RED);
    assertTone(bob, "alice", "audio", 440);
    assertShows(alice, "bob", "video", GREEN);
  }

  @Test
  void aScreenSharedAfterMicrophonesAndCamerasReachesAPeerThatWatchesVideoOnly() {
    String room = newRoom();
    BrowserPage alice = participant(room, "alice");
    // Bob plays video only, so his sections are numbered unlike alice's publish sections.
    BrowserPage bob = participant(room, "bob", null, "video", 0);
    publishMicAndCamera(alice, 440, RED);
    publishMicAndCamera(bob, 660, GREEN);
    alice.run("await H.waitEvent('c', 'subscribed', 'bob', 2, 15000)");
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 1, 15000)");

    publishScreenWithAudio(alice, BLUE, 880);
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 2, 15000)");
    assertShows(bob, "alice", "screen", BLUE);
    assertShows(bob, "alice", "video", RED);
    assertShows(alice, "bob", "video", GREEN);
    assertTone(alice, "bob", "audio", 660);
  }

  @Test
  void aCameraOnlyParticipantAfterAnAudioOnlyOneIsSeenByEveryoneAndTheAudioIsHeard() {
    String room = newRoom();
    BrowserPage viewer = participant(room, "viewer");
    BrowserPage ann = participant(room, "ann");
    publishMicAndCamera(ann, 440, null);
    viewer.run("await H.waitEvent('c', 'subscribed', 'ann', 1, 15000)");
    BrowserPage cam = participant(room, "cam");
    publishCamera(cam, YELLOW);

    assertShows(viewer, "cam", "video", YELLOW);
    assertShows(ann, "cam", "video", YELLOW);
    assertTone(cam, "ann", "audio", 440);
    assertTone(viewer, "ann", "audio", 440);
  }

  @Test
  void aNewPublishersVideoArrivesAfterTheSubscribersEarlierAudioTracksWentAway() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage carol = participant(room, "carol");
    publishMicAndCamera(carol, 440, null);
    bob.run("await H.waitEvent('c', 'subscribed', 'carol', 1, 15000)");
    carol.run("await H.clients.c.leave()");
    bob.run("await H.waitEvent('c', 'user-left', 'carol')");

    BrowserPage dave = participant(room, "dave");
    publishCamera(dave, GREEN);
    assertShows(bob, "dave", "video", GREEN);
  }

  @Test
  void aStillSolidColourCanvasArrivesInItsColourNextToOtherTracks() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    publishMicAndCamera(bob, 440, null);
    BrowserPage alice = participant(room, "alice");
    // A still slide: one colour redrawn every 33 ms, captured on every paint: tiny frames.
    alice.run("const mst = H.solidTrack('slide', arguments[0], 320, 240, 33, 0);"
        + "H.tracks.slide = Fanout.createCustomVideoTrack({ mediaStreamTrack: mst }); await H.clients.c.publish(H.tracks.slide)", RED);
    assertShows(bob, "alice", "video", RED);
    assertTone(alice, "bob", "audio", 440);
  }

  @Test
  void unpublishingTwoTracksAtOnceKeepsTheConnectionAndTheOtherTracks() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage alice = participant(room, "alice");
    // The screen first: its sections are the first of the publish connection (the BUNDLE tag).
    publishScreenWithAudio(alice, BLUE, 880);
    publishMicAndCamera(alice, 440, RED);
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 4, 15000)");
    assertShows(bob, "alice", "screen", BLUE);

    alice.run("await H.clients.c.unpublish([H.tracks.screen, H.tracks.screenAudio])");
    bob.run("await H.waitEvent('c', 'user-unpublished', 'alice', 2)");
    assertShows(bob, "alice", "video", RED);
    assertTone(bob, "alice", "audio", 440);
    // A closed publish transport would have removed alice (transport-failed) and made her rejoin.
    assertThat(bob.number("return H.count('c', 'user-left', 'alice')")).as("alice never left").isZero();
    assertThat(alice.text("return H.clients.c.connectionState")).isEqualTo("CONNECTED");
    assertThat(alice.run("return H.log.filter(e => e.ev === 'connection-state-change').map(e => e.detail)"))
        .asList().noneMatch(d -> String.valueOf(d).contains("RECONNECTING"));
    assertThat(bob.number("return H.count('c', 'user-published', 'alice')")).isEqualTo(4);
  }
}
