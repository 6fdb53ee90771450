package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.RemoteTrack;
import dev.fanout.client.SignalingClient;
import dev.fanout.client.SignalingClient.SignalingError;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.client.ClientHarness.Recorder;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every signaling error a media participant can provoke gets its error code, and while one
 * participant provokes them all, a stream between two others goes on without losing a packet.
 */
class MediaErrorsTest {
  private static final Duration T = Duration.ofSeconds(5);
  private ClientHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ClientHarness(c -> c.limits.maxTracksPerParticipant = 2);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void badRequestsGetTheirCodesAndEveryoneElseIsUnaffected() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    pub.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
      FanoutClient sub = h.join("r", "sub");
      Recorder rec = new Recorder();
      sub.onRtp(rec);
      RemoteTrack watched = sub.subscribe(cam.trackId());
      ClientHarness.await("video", T, () -> rec.media(cam.trackId()).size() > 10);

      // Tokens.
      FanoutClient stranger = h.connect();
      assertThat(code(() -> stranger.join("not-a-jwt"))).isEqualTo("UNAUTHORIZED");
      String expired = h.server.tokens().mint(ClientHarness.KEY,
          new AccessTokens.Grant("r", "late", "late", true, true, null), Duration.ofSeconds(-30));
      assertThat(code(() -> stranger.join(expired))).isEqualTo("UNAUTHORIZED");

      // Grants.
      FanoutClient viewer = h.connect();
      viewer.join(h.token("r", "viewer", false, true));
      assertThat(code(() -> viewer.publish(LocalTrack.video("camera")))).isEqualTo("FORBIDDEN");
      FanoutClient presenter = h.connect();
      presenter.join(h.token("r", "presenter", true, false));
      assertThat(code(() -> presenter.subscribe(cam.trackId()))).isEqualTo("FORBIDDEN");

      // Publishing.
      FanoutClient bad = h.join("r", "bad");
      SignalingClient ws = bad.signaling();
      LocalTrack mine = LocalTrack.video("camera");
      String offer = bad.createPublishOffer(mine);
      assertThat(code(() -> ws.call("publish", publish("v=0\r\nnonsense\r\n", mine.mid(), "video", "camera"), T)))
          .isEqualTo("INVALID_SDP");
      assertThat(code(() -> ws.call("publish", publish(offer, "7", "video", "camera"), T))).isEqualTo("INVALID_PARAMS");
      assertThat(code(() -> ws.call("publish", publish(offer, mine.mid(), "audio", "microphone"), T)))
          .isEqualTo("INVALID_PARAMS");
      assertThat(code(() -> ws.call("publish", publish(offer, mine.mid(), "video", "hologram"), T)))
          .isEqualTo("INVALID_PARAMS");
      ObjectNode noOffer = publish(offer, mine.mid(), "video", "camera");
      noOffer.remove("offer");
      assertThat(code(() -> ws.call("publish", noOffer, T))).isEqualTo("INVALID_PARAMS");
      assertThat(code(() -> bad.publish(LocalTrack.video("camera"), LocalTrack.audio("microphone"),
          LocalTrack.video("screen")))).isEqualTo("TOO_MANY_TRACKS");
      LocalTrack ok = LocalTrack.audio("microphone");
      bad.publish(ok);
      assertThat(code(() -> ws.call("publish", publish(bad.createPublishOffer(), ok.mid(), "audio", "microphone"), T)))
          .as("a mid that is published right now").isEqualTo("INVALID_PARAMS");

      // Tracks that are not there or not yours.
      assertThat(code(() -> bad.subscribe("TR_000000000000"))).isEqualTo("TRACK_NOT_FOUND");
      assertThat(code(() -> bad.subscribe(ok.trackId()))).as("your own track").isEqualTo("INVALID_PARAMS");
      assertThat(code(() -> ws.call("unpublish", trackIds("TR_000000000000"), T))).isEqualTo("TRACK_NOT_FOUND");
      assertThat(code(() -> ws.call("unpublish", trackIds(cam.trackId()), T))).as("someone else's").isEqualTo("TRACK_NOT_FOUND");
      assertThat(code(() -> ws.call("mute", mute(cam.trackId()), T))).as("someone else's").isEqualTo("TRACK_NOT_FOUND");
      assertThat(code(() -> ws.call("unsubscribe", param("trackId", "TR_000000000000"), T))).isEqualTo("TRACK_NOT_FOUND");

      // Answers to offers that were not made, and answers that are not SDP.
      SignalingClient raw = SignalingClient.connect(h.rtcUrl(), T);
      java.util.concurrent.BlockingQueue<JsonNode> offers = new java.util.concurrent.LinkedBlockingQueue<>();
      raw.onEvent((name, data) -> {
        if (name.equals("subscriber-offer")) {
          offers.add(data);
        }
      });
      raw.call("join", param("token", h.token("r", "raw", true, true)), T);
      assertThat(code(() -> raw.call("subscriber-answer", answer(1, "v=0\r\n"), T))).isEqualTo("INVALID_STATE");
      raw.call("subscribe", param("trackId", cam.trackId()), T);
      JsonNode o = offers.poll(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(o).isNotNull();
      long revision = o.path("revision").asLong();
      assertThat(code(() -> raw.call("subscriber-answer", answer(revision + 7, "v=0\r\n"), T))).isEqualTo("INVALID_STATE");
      assertThat(code(() -> raw.call("subscriber-answer", answer(revision, "not sdp"), T))).isEqualTo("INVALID_SDP");

      // Protocol-level mistakes on a joined connection.
      assertThat(code(() -> ws.call("teleport", null, T))).isEqualTo("UNKNOWN_METHOD");
      assertThat(code(() -> ws.call("subscribe", param("track", "x"), T))).isEqualTo("INVALID_PARAMS");
      raw.close();

      // The stream between the others never noticed.
      int before = rec.media(cam.trackId()).size();
      ClientHarness.await("more video", T, () -> rec.media(cam.trackId()).size() > before + 30);
      ClientMediaTest.assertGapless(rec.media(cam.trackId()), watched.ssrc());
      assertThat(rec.media(cam.trackId()).get(0).keyframe()).isTrue();
    }
  }

  private static String code(Callable<?> call) {
    try {
      call.call();
    } catch (SignalingError e) {
      return e.code();
    } catch (Exception e) {
      throw new AssertionError("expected an error response, got " + e, e);
    }
    throw new AssertionError("expected an error response, the call succeeded");
  }

  private static ObjectNode param(String key, String value) {
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put(key, value);
    return p;
  }

  private static ObjectNode publish(String offer, String mid, String kind, String source) {
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put("offer", offer);
    ObjectNode t = p.putArray("tracks").addObject();
    t.put("mid", mid);
    t.put("kind", kind);
    t.put("source", source);
    return p;
  }

  private static ObjectNode trackIds(String id) {
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.putArray("trackIds").add(id);
    return p;
  }

  private static ObjectNode mute(String id) {
    ObjectNode p = param("trackId", id);
    p.put("muted", true);
    return p;
  }

  private static ObjectNode answer(long revision, String sdp) {
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put("revision", revision);
    p.put("sdp", sdp);
    return p;
  }
}
