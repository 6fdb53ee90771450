package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo page at {@code /}: joining by name in two windows, and its tiles, controls and stats. */
class DemoPageBrowserTest extends BrowserTestBase {

  private static void joinThroughTheForm(BrowserPage page, String room, String name) {
    page.run("await new Promise(r => document.readyState === 'complete' ? r() : addEventListener('load', r));"
        + "document.getElementById('room').value = arguments[0];"
        + "document.getElementById('identity').value = arguments[1];"
        + "document.getElementById('join').click();"
        + "const end = performance.now() + 10000;"
        + "while (document.getElementById('state').dataset.state !== 'CONNECTED') {"
        + "  if (performance.now() > end) throw new Error('demo did not connect: ' + document.getElementById('message').textContent);"
        + "  await new Promise(r => setTimeout(r, 50));"
        + "}", room, name);
  }

  @SuppressWarnings("unchecked")
  private static List<String> tileNames(BrowserPage page) {
    return (List<String>) page.run("return [...document.querySelectorAll('.tile .name')].map(e => e.textContent)");
  }

  private static void waitForTiles(BrowserPage page, int n) {
    page.run("const end = performance.now() + 10000;"
        + "while (document.querySelectorAll('.tile').length !== arguments[0]) {"
        + "  if (performance.now() > end) throw new Error('expected ' + arguments[0] + ' tiles');"
        + "  await new Promise(r => setTimeout(r, 50));"
        + "}", n);
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

    second.run("document.getElementById('leave').click()");
    waitForTiles(first, 1);
    assertThat(second.bool("await new Promise(r => setTimeout(r, 300)); return !document.getElementById('join-form').hidden")).isTrue();
  }

  @Test
  void publishingATestPatternAndShowingARemoteCameraWithItsBitrate() throws Exception {
    String room = newRoom();
    BrowserPage page = plainPage("/");
    joinThroughTheForm(page, room, "ada");
    page.run("document.getElementById('pub-pattern').click();"
        + "const end = performance.now() + 10000;"
        + "for (;;) { const v = document.querySelector('.tile.local video');"
        + "  if (v && v.videoWidth > 0) break;"
        + "  if (performance.now() > end) throw new Error('no local preview: ' + document.getElementById('message').textContent);"
        + "  await new Promise(r => setTimeout(r, 50)); }");

    // A second participant in the same page, with the SDK directly.
    page.run("const { default: F } = await import('/sdk/fanout.js');"
        + "const c = F.createClient(); await c.join({ room: arguments[0], identity: 'bea' });"
        + "window.bea = { c, cam: await F.createCameraVideoTrack() }; await c.publish(bea.cam);", room);
    Map<String, Object> remote = page.object("const end = performance.now() + 15000;"
        + "for (;;) { const tile = [...document.querySelectorAll('.tile')].find(t => t.querySelector('.name').textContent === 'bea');"
        + "  const v = tile && tile.querySelector('video'); const stats = tile ? tile.querySelector('.stats').textContent : '';"
        + "  const rate = document.querySelector('#local-tracks .rate'); const localRate = rate ? rate.textContent : '';"
        // The demo fills its stats once a second, a line at a time: wait for the whole of both.
        + "  if (v && v.videoWidth > 0 && /^video \\d.*(kbps|Mbps).*\\d+×\\d+.*fps/.test(stats) && /[kM]bps/.test(localRate))"
        + "    return { width: v.videoWidth, stats, rows: document.querySelectorAll('#local-tracks li').length, localRate };"
        + "  if (performance.now() > end) throw new Error('no remote video with size and frame rate in its stats: ' + stats);"
        + "  await new Promise(r => setTimeout(r, 100)); }");
    assertThat(((Number) remote.get("width")).intValue()).isPositive();
    assertThat((String) remote.get("stats")).startsWith("video ").contains("fps");
    assertThat(remote).containsEntry("rows", 1L);
    assertThat((String) remote.get("localRate")).matches("\\d+(\\.\\d)? [kM]bps");

    // Mute from the demo's controls: the other participant sees it as a badge.
    page.run("bea.cam.setMuted(true);"
        + "const end = performance.now() + 5000;"
        + "while (!document.querySelector('.tile .badges span')) {"
        + "  if (performance.now() > end) throw new Error('no muted badge');"
        + "  await new Promise(r => setTimeout(r, 50)); }");
    Files.write(Path.of("target", "browser-demo.png"), page.screenshot());
  }
}
