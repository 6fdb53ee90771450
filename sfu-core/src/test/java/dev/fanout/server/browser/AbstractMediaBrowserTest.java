package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Media between real Chromium clients: publish, subscribe, frames and sound at the subscriber,
 * setEnabled/setMuted, custom colour tracks and replaceMediaStreamTrack, screen sharing, leave,
 * and media after a dropped WebSocket. Subclasses say where the clients run and which server
 * they talk to.
 */
abstract class AbstractMediaBrowserTest extends BrowserTestBase {

  /** Joins a subscriber ({@code H.clients.s}) that plays everything published in the room. */
  abstract BrowserPage subscriber(String room, String identity);

  /** Joins a publisher ({@code H.clients.p}). */
  abstract BrowserPage publisher(String room, String identity);

  /** Frames of moving video the tests want to see; the fake camera makes 30 a second. */
  private static final int MOVING = 31;

  /**
   * Waits until the subscriber shows the publisher's video, then until it has presented
   * {@link #MOVING} new frames, within a deadline generous enough for a loaded machine.
   */
  private static Map<String, Object> framesAt(BrowserPage sub, String uid) {
    return framesAt(sub, uid, "video");
  }

  /** As {@link #framesAt(BrowserPage, String)} for the user's {@code 'video'} or {@code 'screen'}. */
  private static Map<String, Object> framesAt(BrowserPage sub, String uid, String kind) {
    return sub.object(
        "const v = await H.waitFor(() => { const e = H.media('s', arguments[0], arguments[2]); return e && e.videoWidth > 0 && e; },"
            + "  15000, arguments[2] + ' of ' + arguments[0]);"
            + "return await H.framesUntil(v, arguments[1], 20000);", uid, MOVING, kind);
  }

  private static int presented(Map<String, Object> frames) {
    return ((Number) frames.get("presented")).intValue();
  }

  @Test
  void publishedMicrophoneAndCameraReachTheSubscriberAsMovingVideoAndAudibleSound() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    alice.run("const [mic, cam] = await Fanout.createMicrophoneAndCameraTracks();"
        + "H.tracks.mic = mic; H.tracks.cam = cam; await H.clients.p.publish([mic, cam]);"
        + "return [mic.publishedTrackId, cam.publishedTrackId]");

    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 2, 10000)");
    assertThat(bob.text("return H.log.filter(e => e.ev === 'user-published').map(e => e.detail.split(' ').slice(0, 2).join(' ')).sort().join(', ')"))
        .isEqualTo("audio microphone, video camera");

    Map<String, Object> frames = framesAt(bob, "alice");
    assertThat(presented(frames)).as("video frames: %s", frames).isGreaterThanOrEqualTo(MOVING);

    double energy = bob.number("const u = H.clients.s.remoteUsers[0];"
        + "await H.waitFor(() => u.audioTrack, 5000, 'audio track');"
        + "return await H.audioEnergy(u.audioTrack.getMediaStreamTrack(), 3000)");
    assertThat(energy).as("RMS of the received audio").isGreaterThan(0.01);

    Map<String, Object> stats = bob.object("const u = H.clients.s.remoteUsers[0];"
        + "await u.videoTrack.getStats(); await H.sleep(1000); const v = await u.videoTrack.getStats();"
        + "const raw = u.videoTrack.getMediaStreamTrack();"
        + "return { bytes: v.bytesReceived, decoded: v.framesDecoded, bitrate: v.receiveBitrate, codec: v.codec || '',"
        + "  raw: raw.kind + ' ' + raw.readyState, hasAudio: u.hasAudio, hasVideo: u.hasVideo }");
    assertThat(((Number) stats.get("bytes")).longValue()).isPositive();
    assertThat(((Number) stats.get("decoded")).longValue()).isPositive();
    assertThat(((Number) stats.get("bitrate")).longValue()).isPositive();
    assertThat(stats).containsEntry("raw", "video live").containsEntry("hasAudio", true).containsEntry("hasVideo", true);
    assertThat((String) stats.get("codec")).startsWith("video/");
    Map<String, Object> sent = alice.object("const s = await H.tracks.cam.getStats(); await H.sleep(500); return await H.tracks.cam.getStats()");
    assertThat(((Number) sent.get("bytesSent")).longValue()).isPositive();
  }

  @Test
  void setEnabledFalseUnpublishesAndReleasesTheCameraAndTrueRepublishes() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.p.publish(H.tracks.cam)");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 1, 10000)");
    assertThat(presented(framesAt(bob, "alice"))).isGreaterThanOrEqualTo(MOVING);

    String state = alice.text("const old = H.tracks.cam.getMediaStreamTrack(); await H.tracks.cam.setEnabled(false);"
        + "return old.readyState + ' ' + H.tracks.cam.publishedTrackId + ' ' + H.clients.p.localTracks.length");
    assertThat(state).as("camera released, no longer published, still remembered").isEqualTo("ended null 1");
    bob.run("await H.waitEvent('s', 'user-unpublished', 'alice')");
    assertThat(bob.bool("return H.clients.s.remoteUsers[0].hasVideo")).isFalse();

    alice.run("await H.tracks.cam.setEnabled(true)");
    bob.run("await H.waitEvent('s', 'user-published', 'alice', 2)");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 2, 10000)");
    Map<String, Object> again = framesAt(bob, "alice");
    assertThat(presented(again)).as("frames after re-enabling: %s", again).isGreaterThanOrEqualTo(MOVING);
  }

  @Test
  void setMutedKeepsTheTrackPublishedSendsNothingAndPeersSeeMuted() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.p.publish(H.tracks.cam)");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 1, 10000)");
    assertThat(presented(framesAt(bob, "alice"))).isGreaterThanOrEqualTo(MOVING);

    alice.run("await H.tracks.cam.setMuted(true)");
    bob.run("await H.waitEvent('s', 'user-info-updated', 'alice')");
    assertThat(bob.run("const u = H.clients.s.remoteUsers[0]; return [H.log.find(e => e.ev === 'user-info-updated').detail,"
        + " u.tracks[0].muted, u.videoTrack.muted, H.count('s', 'user-unpublished')]"))
        .isEqualTo(List.of("mute-video", true, true, 0L));
    long decoded = ((Number) bob.object("await H.sleep(500); const v = H.media('s', 'alice', 'video'); return await H.frames(v, 1500)")
        .get("decoded")).longValue();
    assertThat(decoded).as("frames decoded while muted").isLessThan(5);

    alice.run("await H.tracks.cam.setMuted(false)");
    bob.run("await H.waitEvent('s', 'user-info-updated', 'alice', 2)");
    assertThat(presented(framesAt(bob, "alice"))).isGreaterThanOrEqualTo(MOVING);
    assertThat(bob.number("return H.count('s', 'user-published')")).isEqualTo(1);
  }

  @Test
  void aCanvasColourArrivesAndReplaceMediaStreamTrackSwitchesItWithoutRepublishing() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    alice.run("H.tracks.c = Fanout.createCustomVideoTrack({ mediaStreamTrack: H.solidTrack('c', 'rgb(0, 200, 0)') });"
        + "await H.clients.p.publish(H.tracks.c)");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 1, 10000)");
    String green = "const v = await H.waitFor(() => { const e = H.media('s', 'alice', 'video'); return e && e.videoWidth > 0 && e; }, 10000, 'video');"
        + "return await H.waitFor(() => { const p = H.pixel(v); return p[1] > 150 && p[0] < 60 && p[2] < 60 && p; }, 5000, 'green');";
    assertThat(bob.run(green)).isNotNull();

    alice.run("await H.tracks.c.replaceMediaStreamTrack(H.solidTrack('d', 'rgb(0, 0, 220)'))");
    Object blue = bob.run("const v = H.media('s', 'alice', 'video');"
        + "return await H.waitFor(() => { const p = H.pixel(v); return p[2] > 160 && p[0] < 60 && p[1] < 60 && p; }, 5000, 'blue');");
    assertThat(blue).isNotNull();
    bob.run("await H.sleep(500)");
    assertThat(bob.number("return H.count('s', 'user-published')")).as("no new user-published").isEqualTo(1);
    assertThat(bob.number("return H.count('s', 'user-unpublished')")).isZero();
  }

  @Test
  void aScreenShareWithItsAudioIsPublishedAndSubscribed() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    // Headless Chromium with --use-fake-ui-for-media-stream grants getDisplayMedia (its own
    // screen) and a fake audio track, without a user gesture.
    alice.run("const [v, a] = await Fanout.createScreenVideoTrack({ encoderConfig: '720p_2' }, 'enable');"
        + "H.tracks.screen = v; await H.clients.p.publish([v, a]);");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 2, 10000)");
    assertThat(bob.text("return H.log.filter(e => e.ev === 'subscribed').map(e => e.detail.split(' ').slice(0, 2).join(' ')).sort().join(', ')"))
        .isEqualTo("audio screen-audio, video screen");
    Map<String, Object> frames = framesAt(bob, "alice", "screen");
    assertThat(((Number) frames.get("decoded")).intValue()).as("screen frames: %s", frames).isPositive();
  }

  @Test
  void leaveUnpublishesAndReleasesEveryDeviceItOpened() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    alice.run("const [mic, cam] = await Fanout.createMicrophoneAndCameraTracks();"
        + "H.tracks.mic = mic; H.tracks.cam = cam; await H.clients.p.publish([mic, cam]);");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 2, 10000)");
    String after = alice.text("const raw = [H.tracks.mic.getMediaStreamTrack(), H.tracks.cam.getMediaStreamTrack()];"
        + "await H.clients.p.leave();"
        + "return raw.map(t => t.readyState).join(' ') + ' ' + H.tracks.mic.closed + ' ' + H.tracks.cam.closed");
    assertThat(after).isEqualTo("ended ended true true");
    bob.run("await H.waitEvent('s', 'user-left', 'alice')");
    assertThat(bob.bool("return H.media('s', 'alice', 'video') === null")).as("playback stopped").isTrue();
  }

  @Test
  void mediaResumesAfterTheSubscribersAndThePublishersWebSocketsDrop() {
    String room = newRoom();
    BrowserPage bob = subscriber(room, "bob");
    BrowserPage alice = publisher(room, "alice");
    alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.p.publish(H.tracks.cam)");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 1, 10000)");
    assertThat(presented(framesAt(bob, "alice"))).isGreaterThanOrEqualTo(MOVING);

    // The subscriber's socket drops: it rejoins and restores its subscription into the same element.
    bob.run("H.dropSocket('bob');"
        + "await H.waitFor(() => H.clients.s.connectionState === 'RECONNECTING', 10000, 'reconnecting');"
        + "await H.waitFor(() => H.clients.s.connectionState === 'CONNECTED', 10000, 'reconnected');");
    bob.run("await H.waitFor(() => { const t = H.clients.s.remoteUsers[0].videoTrack;"
        + " return t && t.getMediaStreamTrack() && t.getMediaStreamTrack().readyState === 'live'; }, 10000, 'restored subscription')");
    Map<String, Object> afterSubscriberDrop = framesAt(bob, "alice");
    assertThat(presented(afterSubscriberDrop)).as("frames after the subscriber reconnected: %s", afterSubscriberDrop).isGreaterThanOrEqualTo(MOVING);

    // The publisher's socket drops: it rejoins and publishes again; the peer sees it come back.
    alice.run("H.dropSocket('alice');"
        + "await H.waitFor(() => H.log.some(e => e.client === 'p' && e.detail && e.detail.startsWith('RECONNECTING->CONNECTED')),"
        + "  10000, 'reconnected');"
        + "await H.waitFor(() => H.tracks.cam.publishedTrackId, 10000, 'published again');");
    bob.run("await H.waitEvent('s', 'user-joined', 'alice', 2)");
    bob.run("await H.waitEvent('s', 'subscribed', 'alice', 2, 10000)");
    Map<String, Object> afterPublisherDrop = framesAt(bob, "alice");
    assertThat(presented(afterPublisherDrop)).as("frames after the publisher reconnected: %s", afterPublisherDrop).isGreaterThanOrEqualTo(MOVING);
  }
}
