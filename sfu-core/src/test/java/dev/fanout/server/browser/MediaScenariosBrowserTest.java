package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sequences of publishing that once left a subscribed track silent (subscribe resolved, no
 * packet played): each participant publishes and plays everything the others publish, and the
 * test looks at what the other side shows — a moving picture of the right size, the right
 * colour, audible sound.
 */
class MediaScenariosBrowserTest extends BrowserTestBase {
  private static final int MOVING = 31;

  /** A participant that plays everything published in the room (client 'c'). */
  private static BrowserPage participant(String room, String identity) {
    return participant(room, identity, null);
  }

  /** A participant that plays every track of one kind published in the room, or all with null. */
  private static BrowserPage participant(String room, String identity, String only) {
    BrowserPage page = page();
    page.run("H.client('c'); H.autoSubscribe('c', arguments[2]); await H.join('c', arguments[0], arguments[1])",
        room, identity, only);
    return page;
  }

  /** Waits for {@code uid}'s video (or screen) at {@code page}, then for moving frames. */
  private static Map<String, Object> moving(BrowserPage page, String uid, String kind) {
    return page.object("const v = await H.video('c', arguments[0], arguments[1]);"
        + "return await H.framesUntil(v, arguments[2], 20000);", uid, kind, MOVING);
  }

  private static int presented(Map<String, Object> frames) {
    return ((Number) frames.get("presented")).intValue();
  }

  private static double energy(BrowserPage page, String uid, String kind) {
    return page.number("const a = await H.waitFor(() => H.media('c', arguments[0], arguments[1]), 15000, 'audio element');"
        + "return await H.audioEnergy(a.srcObject.getAudioTracks()[0], 3000)", uid, kind);
  }

  private static void publishMicAndCamera(BrowserPage page) {
    page.run("const [mic, cam] = await Fanout.createMicrophoneAndCameraTracks();"
        + "H.tracks.mic = mic; H.tracks.cam = cam; await H.clients.c.publish([mic, cam]);");
  }

  @Test
  void aScreenSharedAfterMicrophonesAndCamerasReachesAPeerThatWatchesVideoOnly() {
    String room = newRoom();
    BrowserPage alice = participant(room, "alice");
    // Bob plays video only, so his sections are numbered unlike alice's publish sections.
    BrowserPage bob = participant(room, "bob", "video");
    publishMicAndCamera(alice);
    publishMicAndCamera(bob);
    alice.run("await H.waitEvent('c', 'subscribed', 'bob', 2, 15000)");
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 1, 15000)");

    alice.run("const [v, a] = await Fanout.createScreenVideoTrack({}, 'enable');"
        + "H.tracks.screen = v; H.tracks.screenAudio = a; await H.clients.c.publish([v, a]);");
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 2, 15000)");
    Map<String, Object> screen = bob.object("const v = await H.video('c', 'alice', 'screen');"
        + "await H.waitFor(() => v.getVideoPlaybackQuality().totalVideoFrames > 0, 15000, 'decoded screen frames');"
        + "return { width: v.videoWidth, decoded: v.getVideoPlaybackQuality().totalVideoFrames }");
    assertThat(((Number) screen.get("width")).intValue()).as("screen at bob: %s", screen).isPositive();
    // The cameras still play both ways, and bob's microphone sounds at alice.
    assertThat(presented(moving(bob, "alice", "video"))).isGreaterThanOrEqualTo(MOVING);
    assertThat(presented(moving(alice, "bob", "video"))).isGreaterThanOrEqualTo(MOVING);
    assertThat(energy(alice, "bob", "audio")).as("bob's microphone at alice").isGreaterThan(0.01);
  }

  @Test
  void aCameraOnlyParticipantAfterAnAudioOnlyOneIsSeenByEveryoneAndTheAudioIsHeard() {
    String room = newRoom();
    BrowserPage viewer = participant(room, "viewer");
    BrowserPage ann = participant(room, "ann");
    ann.run("H.tracks.mic = await Fanout.createMicrophoneAudioTrack(); await H.clients.c.publish(H.tracks.mic)");
    viewer.run("await H.waitEvent('c', 'subscribed', 'ann', 1, 15000)");
    BrowserPage cam = participant(room, "cam");
    cam.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.c.publish(H.tracks.cam)");

    Map<String, Object> atViewer = moving(viewer, "cam", "video");
    assertThat(presented(atViewer)).as("the camera at a viewer who took the audio first: %s", atViewer)
        .isGreaterThanOrEqualTo(MOVING);
    Map<String, Object> atAnn = moving(ann, "cam", "video");
    assertThat(presented(atAnn)).as("the camera at the audio-only participant: %s", atAnn).isGreaterThanOrEqualTo(MOVING);
    assertThat(energy(cam, "ann", "audio")).as("the microphone at the camera-only participant").isGreaterThan(0.01);
    assertThat(energy(viewer, "ann", "audio")).as("the microphone at the viewer").isGreaterThan(0.01);
  }

  @Test
  void aNewPublishersVideoArrivesAfterTheSubscribersEarlierAudioTracksWentAway() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage carol = participant(room, "carol");
    carol.run("H.tracks.mic = await Fanout.createMicrophoneAudioTrack(); await H.clients.c.publish(H.tracks.mic)");
    bob.run("await H.waitEvent('c', 'subscribed', 'carol', 1, 15000)");
    carol.run("await H.clients.c.leave()");
    bob.run("await H.waitEvent('c', 'user-left', 'carol')");

    BrowserPage dave = participant(room, "dave");
    dave.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.c.publish(H.tracks.cam)");
    Map<String, Object> frames = moving(bob, "dave", "video");
    assertThat(presented(frames)).as("dave's camera at bob: %s", frames).isGreaterThanOrEqualTo(MOVING);
  }

  @Test
  void aStillSolidColourCanvasArrivesInItsColourNextToOtherTracks() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    bob.run("H.tracks.mic = await Fanout.createMicrophoneAudioTrack(); await H.clients.c.publish(H.tracks.mic)");
    BrowserPage alice = participant(room, "alice");
    // A still slide: one colour, redrawn every 33 ms, so the encoder sends tiny frames.
    alice.run("const mst = H.solidTrack('slide', 'rgb(200, 30, 30)', 320, 240, 33, 0);"
        + "H.tracks.slide = Fanout.createCustomVideoTrack({ mediaStreamTrack: mst }); await H.clients.c.publish(H.tracks.slide)");
    Object red = bob.run("const v = await H.video('c', 'alice', 'video');"
        + "return await H.waitFor(() => { const p = H.pixel(v); return p[0] > 160 && p[1] < 70 && p[2] < 70 && p; }, 15000, 'red');");
    assertThat(red).isNotNull();
  }

  @Test
  void unpublishingTwoTracksAtOnceKeepsTheConnectionAndTheOtherTracks() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage alice = participant(room, "alice");
    publishMicAndCamera(alice);
    alice.run("const [v, a] = await Fanout.createScreenVideoTrack({}, 'enable');"
        + "H.tracks.screen = v; H.tracks.screenAudio = a; await H.clients.c.publish([v, a]);");
    bob.run("await H.waitEvent('c', 'subscribed', 'alice', 4, 15000)");

    alice.run("await H.clients.c.unpublish([H.tracks.screen, H.tracks.screenAudio])");
    bob.run("await H.waitEvent('c', 'user-unpublished', 'alice', 2)");
    assertThat(presented(moving(bob, "alice", "video"))).as("the camera keeps playing").isGreaterThanOrEqualTo(MOVING);
    assertThat(energy(bob, "alice", "audio")).as("the microphone keeps sounding").isGreaterThan(0.01);
    // A closed publish transport would have removed alice (transport-failed) and made her rejoin.
    assertThat(bob.number("return H.count('c', 'user-left', 'alice')")).as("alice never left").isZero();
    assertThat(alice.text("return H.clients.c.connectionState")).isEqualTo("CONNECTED");
    assertThat(alice.number("return H.log.filter(e => e.ev === 'connection-state-change' && e.detail.includes('RECONNECTING')).length"))
        .isZero();
  }
}
