package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.BuildInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} as an operator scrapes it while real clients join, publish, subscribe, fail
 * to join and leave: each figure is the one the room's history implies.
 */
class MetricsTest {
  private static final Duration T = Duration.ofSeconds(20);
  private final HttpClient http = HttpClient.newHttpClient();
  private ClientHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ClientHarness(c -> c.metrics.perRoom = true);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private String scrape() throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + h.server.httpAddress().getPort() + "/metrics");
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The value of one series, e.g. {@code fanout_tracks{kind="video",source="camera"}}; NaN if absent. */
  private double value(String series) throws Exception {
    for (String line : scrape().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }

  private void awaitValue(String series, double expected) throws Exception {
    ClientHarness.await(series + " = " + expected, T, () -> {
      try {
        return value(series) == expected;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void theFiguresFollowWhatHappensInTheRooms() throws Exception {
    assertThat(scrape()).contains("fanout_build_info{version=\"" + BuildInfo.version() + "\"} 1");

    FanoutClient alice = h.join("m", "alice");
    LocalTrack cam = LocalTrack.video("camera");
    alice.publish(cam);
    try (SyntheticMedia media = SyntheticMedia.start(alice, cam, null, 300_000, 30)) {
      FanoutClient bob = h.join("m", "bob");
      ClientHarness.Recorder rec = new ClientHarness.Recorder();
      bob.onRtp(rec);
      bob.subscribe(cam.trackId());
      ClientHarness.await("video at bob", T, () -> rec.media(cam.trackId()).size() > 10);

      FanoutClient stranger = h.connect();
      try {
        stranger.join("not-a-jwt");
      } catch (Exception expected) {
        // refused: counted below
      }

      assertThat(value("fanout_joins_total")).isEqualTo(2);
      assertThat(value("fanout_join_failures_total{code=\"UNAUTHORIZED\"}")).isEqualTo(1);
      assertThat(value("fanout_participants")).isEqualTo(2);
      assertThat(value("fanout_rooms")).isEqualTo(1);
      assertThat(value("fanout_room_participants{room=\"m\"}")).isEqualTo(2);
      assertThat(value("fanout_tracks{kind=\"video\",source=\"camera\"}")).isEqualTo(1);
      assertThat(value("fanout_tracks_published_total{kind=\"video\",source=\"camera\"}")).isEqualTo(1);
      assertThat(value("fanout_room_tracks{room=\"m\"}")).isEqualTo(1);
      assertThat(value("fanout_subscriptions")).isEqualTo(1);
      // alice's publish connection and bob's subscribe connection
      assertThat(value("fanout_dtls_handshakes_total{result=\"completed\"}")).isEqualTo(2);
      assertThat(value("fanout_ice_events_total{event=\"stunSuccess\"}")).isPositive();
      assertThat(value("fanout_http_connections")).as("alice's and bob's WebSockets at least").isGreaterThanOrEqualTo(2);
      // Every subscriber's first picture starts with a keyframe the server asks the publisher for.
      assertThat(value("fanout_rtcp_feedback_sent_total{type=\"pli\"}")).isPositive();

      bob.leave();
      awaitValue("fanout_subscriptions", 0);
      assertThat(value("fanout_participants_left_total{reason=\"left\"}")).isEqualTo(1);
      assertThat(value("fanout_room_participants{room=\"m\"}")).isEqualTo(1);
    }
    alice.unpublish(cam);
    awaitValue("fanout_tracks{kind=\"video\",source=\"camera\"}", 0);
    alice.leave();
    awaitValue("fanout_rooms", 0);
    assertThat(scrape()).as("a closed room's series are gone").doesNotContain("room=\"m\"");
  }
}
