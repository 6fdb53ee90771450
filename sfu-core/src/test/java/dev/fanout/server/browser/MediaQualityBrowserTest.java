package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a subscriber sees of a publisher's camera: the bitrate and resolution congestion feedback
 * lets the publisher reach, encoder changes, simulcast layers that pause, and codecs whose frames
 * only decode with the right header extensions (AV1's dependency descriptor, VP9 profile 2).
 */
class MediaQualityBrowserTest extends BrowserTestBase {
  private static final int MOVING = 31;

  /** Polls the subscriber's inbound video until {@code condition} (JS over `s`) holds; returns the stats. */
  private static Map<String, Object> inboundUntil(BrowserPage page, String uid, String condition, int ms) {
    return page.object("let last = null;"
        + "try { return await H.waitFor(async () => { const s = await H.inboundVideo('c', arguments[0]); last = s;"
        + "  return s && (" + condition + ") && s; }, arguments[1], 'inbound video: " + condition.replace("'", "") + "'); }"
        + "catch (e) { throw new Error(e.message.split('\\n')[0] + ' last: ' + JSON.stringify(last)); }", uid, ms);
  }

  private static long num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).longValue();
  }

  @Test
  void aHdCameraArrivesAtTheSubscriberAtLeastAtQhdOnceFeedbackLetsItRampUp() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage alice = participant(room, "alice");
    alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack({ encoderConfig: { width: 1280, height: 720, frameRate: 30, bitrateMax: 2500 } });"
        + "await H.clients.c.publish(H.tracks.cam)");
    // Chromium scales a camera down to what its bandwidth estimate allows; without feedback it
    // ended at 320×180.
    Map<String, Object> hd = inboundUntil(bob, "alice", "s.width >= 960", 30000);
    assertThat(num(hd, "height")).as("%s", hd).isGreaterThanOrEqualTo(540);
  }

  @Test
  void aPublisherRampsUpToItsBitrateAndEncoderChangesReachTheSubscriber() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage alice = participant(room, "alice");
    // A 1280×720 camera whose picture is noise, so the encoder spends all it is allowed (the fake
    // camera's picture compresses to a few hundred kbit/s whatever the budget).
    alice.run("H.tracks.cam = await Fanout.createCameraVideoTrack({ encoderConfig: { width: 1280, height: 720, frameRate: 30, bitrateMax: 2500 } });"
        + "await H.tracks.cam.replaceMediaStreamTrack(H.noiseTrack(1280, 720));"
        + "await H.clients.c.publish(H.tracks.cam)");

    // The bitrate the publisher reaches is what the server's feedback lets its estimator allow.
    Map<String, Object> rate = alice.object("const end = performance.now() + 20000; let best = 0, s; const trace = [];"
        + "const sender = H.tracks.cam._client._senderOf(H.tracks.cam);"
        + "await H.tracks.cam.getStats();"
        + "while (performance.now() < end) { await H.sleep(1000); s = await H.tracks.cam.getStats(); best = Math.max(best, s.sendBitrate);"
        + "  const r = await sender.getStats(); let bwe = 0, why = '';"
        + "  r.forEach(x => { if (x.type === 'candidate-pair' && x.availableOutgoingBitrate) bwe = x.availableOutgoingBitrate;"
        + "    if (x.type === 'outbound-rtp') why = x.qualityLimitationReason + ' ' + x.frameWidth; });"
        + "  trace.push(Math.round(s.sendBitrate / 1000) + 'k/' + Math.round(bwe / 1000) + 'k ' + why);"
        + "  if (best >= 1500000) break; }"
        + "return { best, stats: JSON.stringify(s), trace: trace.join(', ') }");
    assertThat(num(rate, "best")).as("publisher send bitrate: %s", rate).isGreaterThanOrEqualTo(1_500_000L);

    // A lower bitrate ceiling reaches the subscriber as a lower bitrate.
    alice.run("await H.tracks.cam.setEncoderConfiguration({ bitrateMax: 300 })");
    double lowered = bob.number("let r = 0; await H.waitFor(async () => { r = await H.receiveBitrate('c', 'alice', 1000); return r < 450000; },"
        + " 20000, 'a bitrate under 450 kbit/s').catch(() => {}); return r;");
    assertThat(lowered).as("bit/s at the subscriber after setEncoderConfiguration({ bitrateMax: 300 })").isLessThan(450_000);
  }

  @Test
  void pausingTheTopSimulcastLayerMovesEverySubscriberToTheNextLayerWithinASecond() {
    String room = newRoom();
    List<BrowserPage> subscribers = List.of(participant(room, "bob"), participant(room, "carol"));
    BrowserPage alice = participant(room, "alice");
    // Three layers, the full one off from the start: the top layer sent is the half one (640
    // wide) however far the estimate rises, so no layer starts in the middle of the measurement.
    alice.run("H.forceVideo({ simulcast: [{ rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 },"
        + " { rid: 'f', active: false }] });"
        + "H.tracks.cam = await Fanout.createCameraVideoTrack({ encoderConfig: { width: 1280, height: 720, frameRate: 30, bitrateMax: 2500 } });"
        + "await H.clients.c.publish(H.tracks.cam)");
    long width = 640;
    String rid = "h";
    long next = width / 2;
    for (BrowserPage sub : subscribers) {
      inboundUntil(sub, "alice", "s.width === " + width, 30000);
    }

    // Wall-clock times from the pages of one browser: alice's pause to each subscriber's first
    // frame of the next layer down.
    for (BrowserPage sub : subscribers) {
      sub.run("const v = await H.video('c', 'alice');"
          + "window.switched = new Promise((resolve) => { const watch = () => v.requestVideoFrameCallback((now, meta) => {"
          + "  if (meta.width === arguments[0]) resolve(performance.timeOrigin + performance.now()); else watch(); }); watch(); });",
          next);
    }
    double pausedAt = alice.number("const sender = H.tracks.cam._client._senderOf(H.tracks.cam);"
        + "const p = sender.getParameters(); p.encodings.find(e => e.rid === arguments[0]).active = false;"
        + "const at = performance.timeOrigin + performance.now(); await sender.setParameters(p); return at;", rid);
    for (BrowserPage sub : subscribers) {
      double switchedAt = sub.number("return await Promise.race([window.switched,"
          + " H.sleep(15000).then(() => { throw new Error('never switched to the next layer'); })]);");
      System.out.printf("simulcast: paused the %d-wide layer, the %d-wide layer's first frame %.0f ms later%n",
          width, next, switchedAt - pausedAt);
      assertThat(switchedAt - pausedAt).as("ms from pausing the %d-wide layer to the %d-wide layer's first frame", width, next)
          .isLessThanOrEqualTo(1000.0);
      Map<String, Object> lower = inboundUntil(sub, "alice", "s.width === " + next, 5000);
      assertThat(num(lower, "height")).isEqualTo(next * 9 / 16);
    }
  }

  @Test
  void av1WithTwoSpatialLayersAndTheDependencyDescriptorDecodesAtTheSubscriber() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage alice = participant(room, "alice");
    alice.run("H.forceVideo({ codec: 'AV1', scalabilityMode: 'L2T3' });"
        + "H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.c.publish(H.tracks.cam)");
    Map<String, Object> frames = bob.object("const v = await H.video('c', 'alice'); return await H.framesUntil(v, arguments[0], 20000);", MOVING);
    assertThat(num(frames, "presented")).as("AV1 frames at bob: %s", frames).isGreaterThanOrEqualTo(MOVING);
    Map<String, Object> in = inboundUntil(bob, "alice", "s.decoded > 0", 5000);
    assertThat((String) in.get("codec")).isEqualToIgnoringCase("video/AV1");
  }

  @Test
  void vp9Profile2IsForwardedWhenBothEndsOfferIt() {
    String room = newRoom();
    BrowserPage bob = participant(room, "bob");
    BrowserPage alice = participant(room, "alice");
    alice.run("H.forceVideo({ codec: 'VP9', fmtp: 'profile-id=2' });"
        + "H.tracks.cam = await Fanout.createCameraVideoTrack(); await H.clients.c.publish(H.tracks.cam)");
    Map<String, Object> frames = bob.object("const v = await H.video('c', 'alice'); return await H.framesUntil(v, arguments[0], 20000);", MOVING);
    assertThat(num(frames, "presented")).as("VP9 profile 2 frames at bob: %s", frames).isGreaterThanOrEqualTo(MOVING);
    String fmtp = bob.text("const t = H.clients.c.remoteUsers[0].videoTrack; const r = await t._receiver.getStats(); let f = '';"
        + "r.forEach(s => { if (s.type === 'codec' && /VP9/i.test(s.mimeType) && s.sdpFmtpLine) f = s.sdpFmtpLine; }); return f");
    assertThat(fmtp).contains("profile-id=2");
  }
}
