package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Local tracks in real Chromium with its fake camera and microphone: capture, playback,
 * setEnabled, custom and audio-file tracks, and the FanoutError codes of every failure.
 */
class LocalTracksBrowserTest extends BrowserTestBase {

  private static Map<String, Object> error(BrowserPage page, String body) {
    return page.object("const e = await H.errorOf(async () => { " + body + " });"
        + "return e || { code: 'NO_ERROR' };");
  }

  private static void assertCode(BrowserPage page, String body, String code) {
    Map<String, Object> e = error(page, body);
    assertThat(e.get("code")).as("%s -> %s", body, e).isEqualTo(code);
    assertThat(e.get("name")).as("%s", e).isEqualTo("FanoutError");
    assertThat(e.get("isFanoutError")).isEqualTo(true);
  }

  @Test
  void setDeviceRecapturesFromTheNamedDeviceAndRejectsUnknownOrMissingIds() {
    BrowserPage page = page();
    Map<String, Object> r = page.object(
        "const cam = await Fanout.createCameraVideoTrack(); const mic = await Fanout.createMicrophoneAudioTrack();"
            + "const camId = (await Fanout.getCameras())[0].deviceId; const micId = (await Fanout.getMicrophones())[0].deviceId;"
            + "const camBefore = cam.getMediaStreamTrack(); const micBefore = mic.getMediaStreamTrack();"
            + "await cam.setDevice(camId); await mic.setDevice(micId);"
            + "const out = {"
            + "  camSwapped: cam.getMediaStreamTrack() !== camBefore, micSwapped: mic.getMediaStreamTrack() !== micBefore,"
            + "  camOldEnded: camBefore.readyState, micOldEnded: micBefore.readyState,"
            + "  camDevice: cam.getMediaStreamTrack().getSettings().deviceId === camId,"
            + "  micDevice: mic.getMediaStreamTrack().getSettings().deviceId === micId,"
            + "  empty: (await H.errorOf(() => cam.setDevice(''))).code,"
            + "  unknown: (await H.errorOf(() => mic.setDevice('no-such-mic'))).code,"
            + "  stillLive: cam.getMediaStreamTrack().readyState + ' ' + mic.getMediaStreamTrack().readyState };"
            + "cam.close(); mic.close(); return out;");
    assertThat(r).containsEntry("camSwapped", true).containsEntry("micSwapped", true)
        .containsEntry("camOldEnded", "ended").containsEntry("micOldEnded", "ended")
        .containsEntry("camDevice", true).containsEntry("micDevice", true)
        .containsEntry("empty", "INVALID_PARAMS").containsEntry("unknown", "CONSTRAINT_NOT_SATISFIED")
        .containsEntry("stillLive", "live live");
  }

  @Test
  void captureFailuresMapToTheContractsErrorCodes() {
    BrowserPage page = page();
    // The fake camera cannot deliver this resolution: the format is impossible, not the device.
    assertCode(page, "await Fanout.createCameraVideoTrack({ encoderConfig: { width: { exact: 99999 } } })", "MEDIA_OPTION_INVALID");
    assertCode(page, "await Fanout.createCameraVideoTrack({ encoderConfig: { frameRate: { min: 5000 } } })", "MEDIA_OPTION_INVALID");
    // No device has this id.
    assertCode(page, "await Fanout.createCameraVideoTrack({ cameraId: 'no-such-camera' })", "CONSTRAINT_NOT_SATISFIED");
    assertCode(page, "await Fanout.createMicrophoneAudioTrack({ microphoneId: 'no-such-mic' })", "CONSTRAINT_NOT_SATISFIED");
    // Fails as a whole: the camera would open but the microphone cannot.
    assertCode(page, "await Fanout.createMicrophoneAndCameraTracks({ microphoneId: 'nope' }, {})", "CONSTRAINT_NOT_SATISFIED");

    // The browser's own refusals, as a user or a machine would produce them.
    String stub = "const md = navigator.mediaDevices; const real = md.getUserMedia;"
        + "md.getUserMedia = () => Promise.reject(new DOMException('denied', arguments[0]));"
        + "try { await Fanout.createMicrophoneAudioTrack(); } finally { md.getUserMedia = real; }";
    assertCode(page, stub.replace("arguments[0]", "'NotAllowedError'"), "PERMISSION_DENIED");
    assertCode(page, stub.replace("arguments[0]", "'NotFoundError'"), "DEVICE_NOT_FOUND");
    assertCode(page, stub.replace("arguments[0]", "'NotReadableError'"), "DEVICE_NOT_FOUND");
    assertCode(page, stub.replace("arguments[0]", "'NotSupportedError'"), "NOT_SUPPORTED");

    // Screen audio requested, but the user shared only the picture: the picture is released too.
    Map<String, Object> share = page.object(
        "const md = navigator.mediaDevices; const real = md.getDisplayMedia;"
            + "const canvas = document.createElement('canvas'); const v = canvas.captureStream(5).getVideoTracks()[0];"
            + "md.getDisplayMedia = async () => new MediaStream([v]);"
            + "try { const e = await H.errorOf(() => Fanout.createScreenVideoTrack({}, 'enable'));"
            + "  return { code: e && e.code, videoState: v.readyState }; } finally { md.getDisplayMedia = real; }");
    assertThat(share).containsEntry("code", "SHARE_AUDIO_NOT_ALLOWED").containsEntry("videoState", "ended");

    // A page without navigator.mediaDevices (an insecure origin has none).
    Map<String, Object> none = page.object(
        "Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });"
            + "try { return {"
            + "  camera: (await H.errorOf(() => Fanout.createCameraVideoTrack())).code,"
            + "  screen: (await H.errorOf(() => Fanout.createScreenVideoTrack())).code,"
            + "  devices: (await H.errorOf(() => Fanout.getCameras())).code,"
            + "  supported: Fanout.checkSystemRequirements() };"
            + "} finally { delete navigator.mediaDevices; }");
    assertThat(none).containsEntry("camera", "NOT_SUPPORTED").containsEntry("screen", "NOT_SUPPORTED")
        .containsEntry("devices", "NOT_SUPPORTED").containsEntry("supported", false);
    assertThat(page.bool("return Fanout.checkSystemRequirements()")).isTrue();
  }

  @Test
  void wrongArgumentsAreInvalidParamsAndMisuseIsInvalidOperation() {
    BrowserPage page = page();
    assertCode(page, "await Fanout.createCameraVideoTrack('720p')", "INVALID_PARAMS");
    assertCode(page, "await Fanout.createCameraVideoTrack({ encoderConfig: '721p' })", "INVALID_PARAMS");
    assertCode(page, "await Fanout.createCameraVideoTrack({ encoderConfig: { width: -1 } })", "INVALID_PARAMS");
    assertCode(page, "await Fanout.createScreenVideoTrack({}, 'sometimes')", "INVALID_PARAMS");
    assertCode(page, "Fanout.createCustomVideoTrack({})", "INVALID_PARAMS");
    assertCode(page, "Fanout.createCustomVideoTrack({ mediaStreamTrack: H.tone() })", "INVALID_PARAMS");
    assertCode(page, "Fanout.createCustomAudioTrack({ mediaStreamTrack: H.solidTrack('x', 'red') })", "INVALID_PARAMS");
    assertCode(page, "await Fanout.createBufferSourceAudioTrack({ source: 42 })", "INVALID_PARAMS");
    assertCode(page, "await Fanout.createBufferSourceAudioTrack({ source: '/no-such-file.wav' })", "NETWORK_ERROR");
    assertCode(page, "await Fanout.createBufferSourceAudioTrack({ source: new Blob(['not audio']) })", "NOT_SUPPORTED");

    assertCode(page, "const c = Fanout.createClient(); await c.join({})", "INVALID_PARAMS");
    assertCode(page, "const c = Fanout.createClient(); await c.join({ room: 'r' })", "INVALID_PARAMS");
    assertCode(page, "const c = Fanout.createClient(); await c.join({ room: 'bad/room', identity: 'a' })", "INVALID_PARAMS");
    assertCode(page, "Fanout.createClient({ url: 'ftp://x' })", "INVALID_PARAMS");
    assertCode(page, "const c = Fanout.createClient(); await c.join({ room: 'r', token: 'not-a-jwt' })", "UNAUTHORIZED");
    assertCode(page, "const c = Fanout.createClient();"
        + "await c.publish(Fanout.createCustomVideoTrack({ mediaStreamTrack: H.solidTrack('p', 'red') }))", "INVALID_OPERATION");
    assertCode(page, "const c = Fanout.createClient(); await c.subscribe('bob', 'video')", "INVALID_OPERATION");
    assertCode(page, "const c = Fanout.createClient(); await c.publish('camera')", "INVALID_PARAMS");

    assertCode(page, "const t = Fanout.createCustomAudioTrack({ mediaStreamTrack: H.tone() }); t.setVolume(1001)", "INVALID_PARAMS");
    assertCode(page, "const t = Fanout.createCustomAudioTrack({ mediaStreamTrack: H.tone() });"
        + "await t.replaceMediaStreamTrack(H.solidTrack('q', 'red'))", "INVALID_PARAMS");
    assertCode(page, "const t = Fanout.createCustomAudioTrack({ mediaStreamTrack: H.tone() }); await t.setEnabled('no')", "INVALID_PARAMS");
    assertCode(page, "const t = Fanout.createCustomAudioTrack({ mediaStreamTrack: H.tone() }); t.close(); await t.setMuted(true)", "INVALID_OPERATION");
  }

  @Test
  void cameraTrackPlaysAndSetEnabledFalseReleasesTheCamera() {
    BrowserPage page = page();
    Map<String, Object> r = page.object(
        "const cam = await Fanout.createCameraVideoTrack({ encoderConfig: '360p_2' });"
            + "H.tracks.cam = cam;"
            + "cam.play(H.box('me', 'me', 'video'));"
            + "const video = H.media('me', 'me', 'video');"
            + "await H.waitFor(() => video.videoWidth > 0, 5000, 'camera video');"
            + "const f = await H.framesUntil(video, 6, 10000);"
            + "const first = cam.getMediaStreamTrack();"
            + "const width = first.getSettings().width;"
            + "await cam.setEnabled(false);"
            + "const disabled = { state: first.readyState, enabled: cam.enabled, src: video.srcObject === null };"
            + "await cam.setEnabled(true);"
            + "const second = cam.getMediaStreamTrack();"
            + "const f2 = await H.framesUntil(video, 6, 10000);"
            + "cam.close();"
            + "return { kind: cam.kind, source: cam.source, label: first.label, width,"
            + "  frames: f.presented, disabled, newTrack: second !== first, frames2: f2.presented,"
            + "  closedState: second.readyState, playing: cam.isPlaying };");
    assertThat(r).containsEntry("kind", "video").containsEntry("source", "camera").containsEntry("width", 640L);
    assertThat(((Number) r.get("frames")).intValue()).as("frames shown").isGreaterThan(5);
    assertThat(r.get("disabled")).isEqualTo(Map.of("state", "ended", "enabled", false, "src", true));
    assertThat(r).containsEntry("newTrack", true).containsEntry("closedState", "ended").containsEntry("playing", false);
    assertThat(((Number) r.get("frames2")).intValue()).as("frames after re-enabling").isGreaterThan(5);
  }

  @Test
  void microphoneAndCameraTogetherAndDeviceLists() {
    BrowserPage page = page();
    Map<String, Object> r = page.object(
        "const [mic, cam] = await Fanout.createMicrophoneAndCameraTracks({ AEC: false }, { encoderConfig: '240p' });"
            + "const level = await H.waitFor(() => mic.getVolumeLevel() > 0.01 && mic.getVolumeLevel(), 5000, 'mic level');"
            + "mic.setVolume(0); await H.sleep(200);"
            + "const silenced = mic.getVolumeLevel();"
            + "const cameras = await Fanout.getCameras(); const mics = await Fanout.getMicrophones();"
            + "const tracks = [mic.getMediaStreamTrack(), cam.getMediaStreamTrack()];"
            + "mic.close(); cam.close();"
            + "return { mic: mic.kind + '/' + mic.source, cam: cam.kind + '/' + cam.source, level, silenced,"
            + "  cameras: cameras.length, mics: mics.length, cameraKind: cameras[0].kind,"
            + "  ended: tracks.map(t => t.readyState) };");
    assertThat(r).containsEntry("mic", "audio/microphone").containsEntry("cam", "video/camera");
    assertThat(((Number) r.get("level")).doubleValue()).isGreaterThan(0.01);
    assertThat(((Number) r.get("silenced")).doubleValue()).isLessThan(0.001);
    assertThat(((Number) r.get("cameras")).intValue()).isGreaterThanOrEqualTo(1);
    assertThat(((Number) r.get("mics")).intValue()).isGreaterThanOrEqualTo(1);
    assertThat(r).containsEntry("cameraKind", "videoinput").containsEntry("ended", List.of("ended", "ended"));
  }

  @Test
  void customCanvasTrackShowsItsColourAndStaysTheCallersTrack() {
    BrowserPage page = page();
    Map<String, Object> r = page.object(
        "const mst = H.solidTrack('c', 'rgb(0, 200, 0)');"
            + "const t = Fanout.createCustomVideoTrack({ mediaStreamTrack: mst });"
            + "t.play(H.box('me', 'me', 'video'));"
            + "const video = H.media('me', 'me', 'video');"
            + "await H.waitFor(() => video.videoWidth > 0, 5000, 'canvas video');"
            + "await H.sleep(200);"
            + "const green = H.pixel(video);"
            + "const other = H.solidTrack('d', 'rgb(0, 0, 220)');"
            + "await t.replaceMediaStreamTrack(other);"
            + "await H.waitFor(() => H.pixel(video)[2] > 150, 3000, 'blue after replace');"
            + "await t.setEnabled(false);"
            + "const whileDisabled = other.readyState;"
            + "t.close();"
            + "return { source: t.source, green, same: t.getMediaStreamTrack() === other, whileDisabled,"
            + "  afterClose: other.readyState, first: mst.readyState };");
    assertThat(r).containsEntry("source", "custom").containsEntry("same", true);
    @SuppressWarnings("unchecked")
    List<Number> green = (List<Number>) r.get("green");
    assertThat(green.get(0).intValue()).isLessThan(40);
    assertThat(green.get(1).intValue()).isGreaterThan(160);
    assertThat(green.get(2).intValue()).isLessThan(40);
    // A custom track never stops the caller's MediaStreamTrack.
    assertThat(r).containsEntry("whileDisabled", "live").containsEntry("afterClose", "live").containsEntry("first", "live");
  }

  @Test
  void bufferSourceTrackPlaysAGeneratedWavFileWithItsControls() {
    BrowserPage page = page();
    Map<String, Object> r = page.object(
        "const url = URL.createObjectURL(H.wav(2, 440));"
            + "const t = await Fanout.createBufferSourceAudioTrack({ source: url });"
            + "const states = []; t.on('source-state-change', s => states.push(s));"
            + "const duration = t.duration;"
            + "const silentBefore = t.getVolumeLevel();"
            + "t.startProcessAudioBuffer({ loop: true });"
            + "await H.sleep(300);"
            + "const level = await H.waitFor(() => t.getVolumeLevel() > 0.1 && t.getVolumeLevel(), 3000, 'file level');"
            + "const sent = await H.audioEnergy(t.getMediaStreamTrack(), 300);"
            + "t.pauseProcessAudioBuffer();"
            + "const paused = t.getCurrentTime(); await H.sleep(200); const pausedLater = t.getCurrentTime();"
            + "t.seekAudioBuffer(1.5); const seeked = t.getCurrentTime();"
            + "t.resumeProcessAudioBuffer(); await H.sleep(200); const resumed = t.getCurrentTime();"
            + "t.stopProcessAudioBuffer(); const stopped = t.getCurrentTime();"
            + "const fromBuffer = await Fanout.createBufferSourceAudioTrack({ source: t.audioBuffer });"
            + "const fromBlob = await Fanout.createBufferSourceAudioTrack({ source: H.wav(0.5) });"
            + "const other = [fromBuffer.duration, fromBlob.duration];"
            + "t.close(); fromBuffer.close(); fromBlob.close();"
            + "return { source: t.source, kind: t.kind, duration, silentBefore, level, sent, paused, pausedLater, seeked,"
            + "  resumed, stopped, states, state: t.currentState, other };");
    assertThat(r).containsEntry("source", "file").containsEntry("kind", "audio");
    assertThat(((Number) r.get("duration")).doubleValue()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(((Number) r.get("silentBefore")).doubleValue()).isLessThan(0.001);
    assertThat(((Number) r.get("level")).doubleValue()).isGreaterThan(0.1);
    assertThat(((Number) r.get("sent")).doubleValue()).as("energy of the track's MediaStreamTrack").isGreaterThan(0.1);
    assertThat(r.get("paused")).isEqualTo(r.get("pausedLater"));
    assertThat(((Number) r.get("seeked")).doubleValue()).isEqualTo(1.5);
    assertThat(((Number) r.get("resumed")).doubleValue()).isGreaterThan(1.55);
    assertThat(((Number) r.get("stopped")).doubleValue()).isZero();
    assertThat(r.get("states")).isEqualTo(List.of("playing", "paused", "playing", "stopped"));
    assertThat(((List<?>) r.get("other")).stream().map(n -> ((Number) n).doubleValue())).containsExactly(2.0, 0.5);
  }

  @Test
  void screenShareWorksHeadlessWithAndWithoutItsAudio() {
    // With --use-fake-ui-for-media-stream headless Chromium grants getDisplayMedia without a
    // gesture: the monitor is its own (blank) screen, and "screen audio" is the fake device.
    BrowserPage page = page();
    Map<String, Object> r = page.object(
        "const one = await Fanout.createScreenVideoTrack({ encoderConfig: '720p_1' });"
            + "const both = await Fanout.createScreenVideoTrack({ optimizationMode: 'motion' }, 'auto');"
            + "const [v, a] = both;"
            + "v.play(H.box('me', 'me', 'video'));"
            + "const video = H.media('me', 'me', 'video');"
            + "await H.waitFor(() => video.videoWidth > 0, 5000, 'screen video');"
            + "const raw = v.getMediaStreamTrack();"
            + "const out = { single: !Array.isArray(one), source: one.source, surface: one.getMediaStreamTrack().getSettings().displaySurface,"
            + "  hint: one.getMediaStreamTrack().contentHint, pair: [v.source, a.source, a.kind], motion: raw.contentHint };"
            + "await v.setEnabled(false); out.released = raw.readyState;"
            + "one.close(); v.close(); a.close(); out.audioClosed = a.getMediaStreamTrack().readyState;"
            + "return out;");
    assertThat(r).containsEntry("single", true).containsEntry("source", "screen").containsEntry("surface", "monitor")
        .containsEntry("hint", "detail").containsEntry("motion", "motion").containsEntry("released", "ended")
        .containsEntry("audioClosed", "ended");
    assertThat(r.get("pair")).isEqualTo(List.of("screen", "screen-audio", "audio"));
  }
}
