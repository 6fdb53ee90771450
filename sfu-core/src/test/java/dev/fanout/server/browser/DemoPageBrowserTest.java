package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.auth.AccessTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page at {@code /}: joining by name in two windows, and its tiles, publish buttons,
 * device pickers, invite link, participant list, stats and hints — checked by what a person
 * sees: element boxes, texts, and videos that play.
 */
class DemoPageBrowserTest extends BrowserTestBase {
  /** Media conditions get a generous deadline: the machine may be busy with other builds. */
  private static final int DEADLINE_MS = 30_000;

  /**
   * Helpers defined in the page before each condition: the tile of a person's source ('none'
   * for a person without video), its video, and a person's rows in the participant list.
   */
  private static final String HELPERS = ""
      + "const tileOf = (name, source) => [...document.querySelectorAll('.tile')]"
      + "  .find(t => t.querySelector('.name').textContent === name && t.dataset.source === source);"
      + "const videoOf = (name, source) => { const t = tileOf(name, source); return t && t.querySelector('video'); };"
      + "const playing = (v) => !!v && v.videoWidth > 0 && !v.paused && v.readyState >= 2;"
      + "const chips = (uid) => [...document.querySelectorAll('#participants li[data-uid=\"' + uid + '\"] .chip')]"
      + "  .map(c => c.textContent).join(', ');"
      + "const box = (el) => { const r = el.getBoundingClientRect();"
      + "  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };"
      + "const shown = (id) => { const el = document.getElementById(id); return !!el && el.getClientRects().length > 0; };"
      + "const button = (id) => { const b = document.getElementById(id);"
      + "  return b.textContent + ' | pressed=' + b.getAttribute('aria-pressed') + ' | disabled=' + b.disabled; };";

  @BeforeAll
  static void moreFakeCameras() {
    // Chromium's fake capture has one camera unless told otherwise. Its second one
    // (fake_device_1) delivers Y16 depth frames, which a local <video> shows but WebRTC cannot
    // encode; the third (fake_device_2) is an ordinary camera to switch to.
    extraChromiumFlags = List.of("--use-fake-device-for-media-stream=device-count=3");
  }

  /**
   * Waits until {@code condition} (the body of an async function, with {@link #HELPERS})
   * returns a truthy value, and returns it; fails after {@link #DEADLINE_MS} naming
   * {@code what} and the page's message, if any.
   */
  private static Object until(BrowserPage page, String what, String condition, Object... args) {
    Object[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = what;
    return page.run(HELPERS
        + "const cond = async () => { " + condition + "\n};"
        + "const end = performance.now() + " + DEADLINE_MS + ";"
        + "for (;;) {"
        + "  const v = await cond(); if (v) return v;"
        + "  if (performance.now() > end) { const m = document.getElementById('message');"
        + "    throw new Error('timed out waiting for ' + arguments[arguments.length - 1] + (m && !m.hidden ? ' (page says: ' + m.textContent + ')' : '')); }"
        + "  await new Promise(r => setTimeout(r, 100)); }", all);
  }

  /** Runs a script with {@link #HELPERS}. */
  private static Object run(BrowserPage page, String body, Object... args) {
    return page.run(HELPERS + body, args);
  }

  private static void joinThroughTheForm(BrowserPage page, String room, String name) {
    page.run("await new Promise(r => document.readyState === 'complete' ? r() : addEventListener('load', r));"
        + "document.getElementById('room').value = arguments[0];", room);
    join(page, name);
  }

  /** Joins the room that the form shows (e.g. from an invite link). */
  private static void join(BrowserPage page, String name) {
    page.run("await new Promise(r => document.readyState === 'complete' ? r() : addEventListener('load', r));"
        + "document.getElementById('identity').value = arguments[0];"
        + "document.getElementById('join').click();", name);
    until(page, "the demo to connect", "return document.getElementById('state').dataset.state === 'CONNECTED'");
  }

  @SuppressWarnings("unchecked")
  private static List<String> tileNames(BrowserPage page) {
    return (List<String>) page.run("return [...document.querySelectorAll('.tile .name')].map(e => e.textContent)");
  }

  private static void waitForTiles(BrowserPage page, int n) {
    until(page, n + " tiles", "return document.querySelectorAll('.tile').length === arguments[0]", n);
  }

  /** Waits until the tile of {@code name}'s {@code source} plays video. */
  private static void waitPlaying(BrowserPage page, String name, String source) {
    until(page, name + "'s " + source + " playing", "return playing(videoOf(arguments[0], arguments[1]))", name, source);
  }

  /** Waits until the video of {@code name}'s {@code source} presents {@code n} more frames. */
  private static void waitNewFrames(BrowserPage page, String name, String source, int n) {
    page.run(HELPERS
        + "const v = videoOf(arguments[0], arguments[1]); if (!v) throw new Error('no video of ' + arguments[0]);"
        + "let frames = 0; const end = performance.now() + " + DEADLINE_MS + ";"
        + "await new Promise((resolve, reject) => {"
        + "  const tick = () => { if (++frames >= arguments[2]) resolve(); else v.requestVideoFrameCallback(tick); };"
        + "  v.requestVideoFrameCallback(tick);"
        + "  const check = setInterval(() => { if (frames >= arguments[2]) clearInterval(check);"
        + "    else if (performance.now() > end) { clearInterval(check); reject(new Error('only ' + frames + ' new frames of ' + arguments[0])); } }, 200);"
        + "});", name, source, n);
  }

  /** Clicks a button of the page. */
  private static void click(BrowserPage page, String id) {
    page.run("document.getElementById(arguments[0]).click()", id);
  }

  private static void choose(BrowserPage page, String selectId, String optionText) {
    page.run("const s = document.getElementById(arguments[0]);"
        + "const o = [...s.options].find(o => o.text === arguments[1]);"
        + "if (!o) throw new Error('no option ' + arguments[1] + ' in ' + [...s.options].map(o => o.text));"
        + "s.value = o.value; s.dispatchEvent(new Event('change'));", selectId, optionText);
  }

  @Test
  void twoWindowsJoinTheSameRoomAndEachShowsTheOther() {
    String room = newRoom();
    BrowserPage first = plainPage("/");
    BrowserPage second = plainPage("/");
    joinThroughTheForm(first, room, "ada");
    joinThroughTheForm(second, room, "bea");
    waitForTiles(first, 2);
    waitForTiles(second, 2);
    assertThat(tileNames(first)).containsExactly("ada (you)", "bea");
    assertThat(tileNames(second)).containsExactly("bea (you)", "ada");
    assertThat(first.text("return document.getElementById('state').textContent")).isEqualTo("connected");
    assertThat(first.text("return document.getElementById('room-label').textContent")).contains(room);
    assertThat(first.text("return [...document.querySelectorAll('#participants li')].map(l => l.dataset.uid + ': ' + l.textContent).join('; ')"))
        .isEqualTo("ada: ada (you)no media; bea: beano media");

    second.run("document.getElementById('leave').click()");
    waitForTiles(first, 1);
    until(second, "the join form again", "return shown('join-form') && !shown('leave')");
    until(first, "bea gone from the participant list", "return document.querySelectorAll('#participants li').length === 1");
  }

  @Test
  void publishingATestPatternAndShowingARemoteCameraWithItsBitrate() throws Exception {
    String room = newRoom();
    BrowserPage page = plainPage("/");
    joinThroughTheForm(page, room, "ada");
    page.run("document.getElementById('pub-pattern').click()");
    until(page, "the local preview", "const v = document.querySelector('.tile.local video'); return v && v.videoWidth > 0");

    // A second participant in the same page, with the SDK directly.
    page.run("const { default: F } = await import('/sdk/fanout.js');"
        + "const c = F.createClient(); await c.join({ room: arguments[0], identity: 'bea' });"
        + "window.bea = { c, cam: await F.createCameraVideoTrack() }; await c.publish(bea.cam);", room);
    @SuppressWarnings("unchecked")
    Map<String, Object> remote = (Map<String, Object>) until(page, "bea's video with its size and frame rate in its stats",
        "const tile = [...document.querySelectorAll('.tile')].find(t => t.querySelector('.name').textContent === 'bea');"
        + "const v = tile && tile.querySelector('video'); const stats = tile ? tile.querySelector('.stats').textContent : '';"
        + "const rate = document.querySelector('#local-tracks .rate'); const localRate = rate ? rate.textContent : '';"
        // The demo fills its stats once a second, a line at a time: wait for the whole of both.
        + "if (v && v.videoWidth > 0 && /^video \\d.*(kbps|Mbps).*\\d+×\\d+.*fps/.test(stats) && /[kM]bps/.test(localRate))"
        + "  return { rows: document.querySelectorAll('#local-tracks li').length, localRate };"
        + "return null;");
    assertThat(remote).containsEntry("rows", 1L);
    assertThat((String) remote.get("localRate")).matches("\\d+(\\.\\d)? [kM]bps");

    // Bea mutes her camera with the SDK: ada's page shows it as a badge on bea's tile.
    page.run("await bea.cam.setMuted(true)");
    until(page, "a muted badge", "return document.querySelector('.tile .badges span')");
    Files.write(Path.of("target", "browser-demo.png"), page.screenshot());
  }

  @Test
  void publishButtonsShowWhatIsPublishedAndADoubleClickPublishesOnce() {
    String room = newRoom();
    BrowserPage ada = plainPage("/");
    joinThroughTheForm(ada, room, "ada");
    // Another participant in the same page, with the SDK directly: it counts what ada publishes.
    ada.run("const { default: F } = await import('/sdk/fanout.js');"
        + "window.bea = F.createClient(); await bea.join({ room: arguments[0], identity: 'bea' });"
        + "window.adaTracks = () => { const u = bea.remoteUsers.find(u => u.uid === 'ada');"
        + "  return u ? u.tracks.map(t => t.kind + ' ' + t.source).sort() : []; };"
        // The demo captures through the SDK's module object (looked up at call time): count the calls.
        + "const capture = F.createMicrophoneAndCameraTracks; window.captures = 0;"
        + "F.createMicrophoneAndCameraTracks = (...a) => { window.captures++; return capture.apply(F, a); };", room);
    assertThat(run(ada, "return button('pub-cam')")).isEqualTo("Camera + mic | pressed=false | disabled=false");
    assertThat(run(ada, "return button('pub-screen')")).isEqualTo("Share screen | pressed=false | disabled=false");

    // Two clicks in a row: the first starts the camera and microphone, the second finds the
    // button busy. Once published, the button stops them.
    assertThat(run(ada, "const b = document.getElementById('pub-cam'); b.click(); b.click(); return button('pub-cam')"))
        .isEqualTo("Starting… | pressed=false | disabled=true");
    until(ada, "the camera button to turn into stop", "return button('pub-cam') === 'Stop camera + mic | pressed=true | disabled=false'");
    until(ada, "bea to see ada's tracks", "return adaTracks().length >= 2");
    assertThat(run(ada, "return adaTracks()")).isEqualTo(List.of("audio microphone", "video camera"));
    assertThat(run(ada, "return captures")).as("captures started by the two clicks").isEqualTo(1L);
    assertThat(run(ada, "return [...document.querySelectorAll('#local-tracks li')].map(li => li.dataset.source)"))
        .isEqualTo(List.of("microphone", "camera"));
    assertThat(run(ada, "return document.querySelectorAll('.tile.local[data-source=\"camera\"]').length")).isEqualTo(1L);
    waitPlaying(ada, "ada (you)", "camera");

    click(ada, "pub-cam");
    until(ada, "the camera button to start again", "return button('pub-cam') === 'Camera + mic | pressed=false | disabled=false'");
    until(ada, "bea to see ada's tracks go", "return adaTracks().length === 0");
    assertThat(run(ada, "return document.querySelectorAll('#local-tracks li').length")).isEqualTo(0L);
    assertThat(tileNames(ada)).containsExactly("ada (you)", "bea");
    assertThat(run(ada, "return !!tileOf('ada (you)', 'none') && !document.querySelector('.tile video')")).isEqualTo(true);

    // The screen button toggles sharing the same way.
    click(ada, "pub-screen");
    until(ada, "the screen button to turn into stop", "return button('pub-screen') === 'Stop sharing | pressed=true | disabled=false'");
    until(ada, "bea to see ada's screen", "return adaTracks().includes('video screen')");
    waitPlaying(ada, "ada (you)", "screen");
    click(ada, "pub-screen");
    until(ada, "the screen button to share again", "return button('pub-screen') === 'Share screen | pressed=false | disabled=false'");
    until(ada, "bea to see ada's screen go", "return adaTracks().length === 0");
    assertThat(run(ada, "return button('pub-cam')")).isEqualTo("Camera + mic | pressed=false | disabled=false");
  }

  @Test
  @SuppressWarnings("unchecked")
  void devicePickersListTheFakeDevicesAndSwitchTheLiveTracksWithoutRepublishing() {
    String room = newRoom();
    BrowserPage ada = plainPage("/");
    joinThroughTheForm(ada, room, "ada");
    click(ada, "pub-cam");
    waitPlaying(ada, "ada (you)", "camera");
    BrowserPage bea = plainPage("/");
    joinThroughTheForm(bea, room, "bea");
    waitPlaying(bea, "ada", "camera");
    until(bea, "ada's audio", "return document.querySelector('#audio-sinks audio[data-uid=\"ada\"]')");

    // The pickers list Chromium's fake devices by name; the camera picker shows the one in use.
    Map<String, Object> lists = (Map<String, Object>) until(ada, "the camera picker to show the camera in use",
        "const s = document.getElementById('camera-select');"
            + "if (s.selectedOptions[0]?.text !== 'fake_device_0') return null;"
            + "const o = id => [...document.getElementById(id).options].map(o => o.text);"
            + "return { cams: o('camera-select'), mics: o('mic-select'), speakers: o('speaker-select') };");
    assertThat((List<String>) lists.get("cams")).containsExactly("fake_device_0", "fake_device_1", "fake_device_2");
    assertThat((List<String>) lists.get("mics")).contains("Fake Default Audio Input", "Fake Audio Input 1", "Fake Audio Input 2");
    assertThat((List<String>) lists.get("speakers")).contains("Fake Default Audio Output", "Fake Audio Output 1");

    // What bea shows of ada now: switching devices must keep these very elements playing.
    bea.run(HELPERS + "window.before = { tile: tileOf('ada', 'camera'), audio: document.querySelector('#audio-sinks audio[data-uid=\"ada\"]') };");

    choose(ada, "camera-select", "fake_device_2");
    until(ada, "the local camera tile to show fake_device_2",
        "const s = document.getElementById('camera-select'); const v = videoOf('ada (you)', 'camera');"
            + "return !s.disabled && s.selectedOptions[0].text === 'fake_device_2' && playing(v)"
            + "  && v.srcObject.getVideoTracks()[0].getSettings().deviceId === s.value");
    waitNewFrames(ada, "ada (you)", "camera", 5);
    waitNewFrames(bea, "ada", "camera", 10);
    assertThat(run(bea, "return tileOf('ada', 'camera') === before.tile && playing(videoOf('ada', 'camera'))")).isEqualTo(true);

    choose(ada, "mic-select", "Fake Audio Input 1");
    // The picker shows the device the live microphone uses once the switch is done.
    until(ada, "the microphone picker to settle on Fake Audio Input 1",
        "const s = document.getElementById('mic-select'); return !s.disabled && s.selectedOptions[0].text === 'Fake Audio Input 1'");
    assertThat(run(ada, "return shown('message')")).isEqualTo(false);
    until(bea, "ada's audio to keep coming in the same element",
        "const a = document.querySelector('#audio-sinks audio[data-uid=\"ada\"]');"
            + "return a === before.audio && a.srcObject.getAudioTracks()[0].readyState === 'live' && !a.paused");
    assertThat(run(bea, "return chips('ada')")).isEqualTo("mic, camera");

    // The speaker picker sends every remote audio element to the chosen output.
    choose(bea, "speaker-select", "Fake Audio Output 1");
    until(bea, "ada's audio to play through Fake Audio Output 1",
        "const s = document.getElementById('speaker-select'); const els = [...document.querySelectorAll('#audio-sinks audio')];"
            + "return els.length > 0 && els.every(a => a.sinkId === s.value) && s.selectedOptions[0].text === 'Fake Audio Output 1'");
    assertThat(run(bea, "return shown('message')")).isEqualTo(false);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRemoteCameraAndScreenShowSideBySideWithTheirStatsBelowThePicture() throws Exception {
    String room = newRoom();
    BrowserPage ada = plainPage("/");
    ada.resize(1280, 900);
    joinThroughTheForm(ada, room, "ada");
    click(ada, "pub-cam");
    until(ada, "ada's camera", "return button('pub-cam').startsWith('Stop')");
    click(ada, "pub-screen");
    until(ada, "ada's screen", "return button('pub-screen').startsWith('Stop')");
    BrowserPage bea = plainPage("/");
    bea.resize(1280, 900);
    joinThroughTheForm(bea, room, "bea");
    click(bea, "pub-pattern");
    waitPlaying(bea, "bea (you)", "custom");

    String statsLine = "/^video \\d+(\\.\\d)? [kM]bps · \\d+×\\d+ · \\d+ fps/";
    until(bea, "ada's camera and screen playing, with their stats",
        "return ['camera', 'screen'].every(s => playing(videoOf('ada', s))"
            + "  && " + statsLine + ".test(tileOf('ada', s).querySelector('.stats').textContent))");
    Map<String, Object> seen = (Map<String, Object>) run(bea,
        "const out = {};"
            + "for (const [name, s] of [['ada', 'camera'], ['ada', 'screen'], ['bea (you)', 'custom']]) {"
            + "  const t = tileOf(name, s); const v = t.querySelector('video');"
            + "  out[s] = { tile: box(t), video: box(v), stats: box(t.querySelector('.stats')), fit: getComputedStyle(v).objectFit,"
            + "    label: t.querySelector('.name').textContent + ' · ' + t.querySelector('.source').textContent,"
            + "    size: v.videoWidth + 'x' + v.videoHeight, statsText: t.querySelector('.stats').textContent }; }"
            + "return out;");
    Map<String, Object> camera = (Map<String, Object>) seen.get("camera");
    Map<String, Object> screen = (Map<String, Object>) seen.get("screen");
    assertThat(camera.get("label")).isEqualTo("ada · camera");
    assertThat(screen.get("label")).isEqualTo("ada · screen");
    assertThat(((Map<String, Object>) seen.get("custom")).get("label")).isEqualTo("bea (you) · test pattern");
    // Side by side: the same row, the camera left of the screen, no overlap.
    assertThat(num(camera, "tile", "top")).isCloseTo(num(screen, "tile", "top"), within(1.0));
    assertThat(num(camera, "tile", "right")).isLessThanOrEqualTo(num(screen, "tile", "left"));
    for (Map.Entry<String, Object> e : seen.entrySet()) {
      Map<String, Object> t = (Map<String, Object>) e.getValue();
      // The whole picture shows (a test pattern or a screen is not cropped) ...
      assertThat(t.get("fit")).as("%s object-fit", e.getKey()).isEqualTo("contain");
      assertThat((String) t.get("size")).as("%s video size", e.getKey()).matches("[1-9]\\d*x[1-9]\\d*");
      // ... and the stats sit below it, inside the tile, never over it.
      assertThat(num(t, "stats", "height")).as("%s stats height", e.getKey()).isPositive();
      assertThat(num(t, "stats", "top")).as("%s stats below the video: %s", e.getKey(), t).isGreaterThanOrEqualTo(num(t, "video", "bottom"));
      assertThat(num(t, "stats", "bottom")).as("%s stats inside the tile", e.getKey()).isLessThanOrEqualTo(num(t, "tile", "bottom"));
    }
    assertThat((String) screen.get("statsText")).contains("×");

    // Pictures for docs/demo.md: what each of the two sees.
    until(ada, "bea's test pattern on ada's page", "return playing(videoOf('bea', 'custom'))");
    Files.write(Path.of("target", "demo-viewer.png"), bea.screenshot());
    Files.write(Path.of("target", "demo-sharer.png"), ada.screenshot());
  }

  @SuppressWarnings("unchecked")
  private static double num(Map<String, Object> tile, String part, String edge) {
    return ((Number) ((Map<String, Object>) tile.get(part)).get(edge)).doubleValue();
  }

  @Test
  void theParticipantListShowsEachPersonsMediaAndWhatIsMuted() {
    String room = newRoom();
    BrowserPage ada = plainPage("/");
    joinThroughTheForm(ada, room, "ada");
    click(ada, "pub-cam");
    BrowserPage bea = plainPage("/");
    joinThroughTheForm(bea, room, "bea");
    until(bea, "ada's microphone and camera in the list", "return chips('ada') === 'mic, camera'");
    assertThat(run(bea, "return chips('bea')")).isEqualTo("");
    assertThat(run(bea, "return document.querySelector('#participants li[data-uid=\"bea\"]').textContent")).isEqualTo("bea (you)no media");

    ada.run("document.querySelector('#local-tracks li[data-source=\"microphone\"] button.mute').click()");
    until(bea, "ada's microphone muted", "return chips('ada') === 'mic muted, camera'");
    until(ada, "ada's own row to say so", "return chips('ada') === 'mic muted, camera'");
    assertThat(run(bea, "return document.querySelector('#participants li[data-uid=\"ada\"] .chip[data-source=\"microphone\"]').dataset.muted"))
        .isEqualTo("true");
    until(bea, "ada's tile to carry a mic muted badge", "return tileOf('ada', 'camera')?.querySelector('.badges').textContent === 'mic muted'");

    ada.run("document.querySelector('#local-tracks li[data-source=\"camera\"] button.mute').click()");
    until(bea, "ada's camera muted too", "return chips('ada') === 'mic muted, camera muted'");
    until(bea, "ada's tile badges", "return tileOf('ada', 'camera')?.querySelector('.badges').textContent === 'video mutedmic muted'");

    ada.run("document.querySelector('#local-tracks li[data-source=\"microphone\"] button.mute').click()");
    until(bea, "ada's microphone back", "return chips('ada') === 'mic, camera muted'");
    until(ada, "ada's own row to follow", "return chips('ada') === 'mic, camera muted'");
  }

  @Test
  void theInviteLinkIsTheRoomsAddressAndCopiesToTheClipboard() {
    String room = newRoom();
    BrowserPage ada = plainPage("/");
    joinThroughTheForm(ada, room, "ada");
    String link = ada.text("return document.getElementById('invite-link').value");
    assertThat(link).isEqualTo(baseUrl() + "/?room=" + room);
    assertThat(ada.text("return location.href")).as("the address bar is the invite link too").isEqualTo(link);

    // The clipboard is for the focused page only; several windows share this browser.
    ada.emulateFocus();
    ada.grant("clipboard-read");
    ada.grant("clipboard-write");
    click(ada, "copy-invite");
    until(ada, "the copy button to confirm", "return document.getElementById('copy-invite').textContent === 'Copied'");
    assertThat(ada.text("return await navigator.clipboard.readText()")).isEqualTo(link);

    // Whoever opens the link finds the room filled in.
    BrowserPage bea = pageAt(link);
    until(bea, "the room from the link", "return document.readyState === 'complete' && document.getElementById('room').value === arguments[0]", room);
    join(bea, "bea");
    waitForTiles(bea, 2);
    assertThat(tileNames(bea)).containsExactly("bea (you)", "ada");
  }

  @Test
  void theDevModeHintShowsOnlyOnADevServerAndAnotherServerTakesATokenFromTheAddress() throws Exception {
    BrowserPage dev = plainPage("/");
    assertThat(until(dev, "the page to learn the server's mode", "return document.body.dataset.serverMode")).isEqualTo("dev");
    assertThat(run(dev, "return [shown('dev-hint'), shown('token-hint')]")).isEqualTo(List.of(true, false));

    try (FanoutServer production = FanoutServer.start(TestServers.loopbackConfig())) {
      String base = "http://127.0.0.1:" + production.httpAddress().getPort();
      BrowserPage page = pageAt(base + "/");
      assertThat(until(page, "the page to learn the server's mode", "return document.body.dataset.serverMode")).isEqualTo("token");
      assertThat(run(page, "return [shown('dev-hint'), shown('token-hint')]")).isEqualTo(List.of(false, true));

      String room = newRoom();
      String token = production.tokens().mint(TestServers.KEY,
          new AccessTokens.Grant(room, "cy", "cy", true, true, null), Duration.ofMinutes(5));
      BrowserPage withToken = pageAt(base + "/?room=" + room + "&token=" + token);
      assertThat(until(withToken, "the page to learn the server's mode", "return document.body.dataset.serverMode")).isEqualTo("token");
      assertThat(run(withToken, "return [shown('dev-hint'), shown('token-hint')]")).isEqualTo(List.of(false, false));
      join(withToken, "ignored");
      assertThat(tileNames(withToken)).containsExactly("cy (you)");
    }
  }
}
