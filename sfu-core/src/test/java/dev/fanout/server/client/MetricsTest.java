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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /** Every series of one scrape by its name and labels, e.g. {@code fanout_tracks{kind="video",source="camera"}}. */
  private Map<String, Double> figures() {
    Map<String, Double> m = new HashMap<>();
    try {
      for (String line : scrape().split("\n")) {
        int space = line.lastIndexOf(' ');
        if (!line.startsWith("#") && space > 0) {
          m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return m;
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
    assertThat(scrape()).contains("fanout_build_info{commit=\"" + BuildInfo.commit() + "\",version=\"" + BuildInfo.version() + "\"} 1");
    assertThat(BuildInfo.commit()).as("built from a git checkout").matches("[0-9a-f]{7}(-dirty)?");

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

  private static String packets(String kind, String direction) {
    return "fanout_media_packets_total{direction=\"" + direction + "\",kind=\"" + kind + "\"}";
  }

  private static String bytes(String kind, String direction) {
    return "fanout_media_bytes_total{direction=\"" + direction + "\",kind=\"" + kind + "\"}";
  }

  /** A histogram's mean, its sum over its count; {@code labels} as {@code {kind="video"}}, or empty. */
  private static double mean(Map<String, Double> f, String histogram, String labels) {
    return f.get(histogram + "_sum" + labels) / f.get(histogram + "_count" + labels);
  }

  @Test
  void mediaIsCountedByKindAndReportsGiveLossJitterAndRoundTrip() throws Exception {
    FanoutClient alice = h.join("r", "alice");
    LocalTrack cam = LocalTrack.video("camera");
    LocalTrack mic = LocalTrack.audio("microphone");
    alice.publish(cam, mic);
    List<FanoutClient> subscribers = List.of(h.join("r", "bob"), h.join("r", "carol"));
    for (FanoutClient s : subscribers) {
      s.reportReception(true); // RTCP receiver reports with LSR/DLSR once a second, as a browser
      s.subscribe(cam.trackId());
      s.subscribe(mic.trackId());
    }
    String[] reportFigures = {
        "fanout_rtt_seconds_count",
        "fanout_subscriber_fraction_lost_count{kind=\"video\"}",
        "fanout_subscriber_fraction_lost_count{kind=\"audio\"}",
        "fanout_subscriber_jitter_seconds_count{kind=\"video\"}",
        "fanout_subscriber_jitter_seconds_count{kind=\"audio\"}",
        "fanout_publisher_fraction_lost_count{kind=\"video\"}",
        "fanout_publisher_fraction_lost_count{kind=\"audio\"}"};
    Map<String, Double> live;
    try (SyntheticMedia media = SyntheticMedia.start(alice, cam, mic, 600_000, 30)) {
      // Packet counts reach /metrics once a second, report figures with each report: wait for
      // enough of both, however slow the machine.
      ClientHarness.await("media counted and reports observed", Duration.ofSeconds(90), () -> {
        Map<String, Double> f = figures();
        for (String r : reportFigures) {
          if (f.getOrDefault(r, 0.0) < 3) {
            return false;
          }
        }
        return f.getOrDefault(packets("video", "in"), 0.0) >= 500 && f.getOrDefault(packets("audio", "in"), 0.0) >= 250
            && f.getOrDefault(packets("video", "out"), 0.0) > 0 && f.getOrDefault(packets("audio", "out"), 0.0) > 0;
      });
      live = figures();
      // Every Fanout series the Grafana dashboard in docs/ queries is one the server exports
      // (the labelled counters have series once something was counted: a refused join, a leave).
      try {
        h.connect().join("not-a-jwt");
      } catch (Exception expected) {
        // refused, and counted
      }
      h.join("r", "dave").leave();
      awaitValue("fanout_participants_left_total{reason=\"left\"}", 1);
      Set<String> exported = new TreeSet<>();
      for (String line : scrape().split("\n")) {
        if (line.startsWith("fanout_")) {
          exported.add(line.replaceFirst("[{ ].*", ""));
        }
      }
      String dashboard = Files.readString(Path.of("..", "docs", "grafana", "fanout.json"));
      Set<String> queried = new TreeSet<>();
      Matcher m = Pattern.compile("fanout_[a-z_]+").matcher(dashboard);
      while (m.find()) {
        queried.add(m.group());
      }
      queried.remove("fanout_build_info"); // the server picker's query: exported as an info metric (checked above)
      assertThat(queried).as("series the dashboard queries").hasSizeGreaterThan(20);
      assertThat(exported).as("series the server exports").containsAll(queried);
    }
    alice.unpublish(cam, mic);
    awaitValue("fanout_subscriptions", 0);
    awaitValue("fanout_tracks{kind=\"video\",source=\"camera\"}", 0);
    awaitValue("fanout_tracks{kind=\"audio\",source=\"microphone\"}", 0);
    // Ended tracks' counts stay in the counters: now they are final.
    Map<String, Double> end = figures();

    for (String kind : new String[] {"audio", "video"}) {
      for (String series : new String[] {packets(kind, "in"), packets(kind, "out"), bytes(kind, "in"), bytes(kind, "out")}) {
        assertThat(end.get(series)).as("%s after the tracks ended", series).isGreaterThanOrEqualTo(live.get(series));
      }
      double in = end.get(packets(kind, "in"));
      double out = end.get(packets(kind, "out"));
      // Each received packet goes to each of the two subscribers at most once; both subscribed
      // before the media started, so all but their first moments reach both.
      assertThat(out).as("%s packets forwarded to 2 subscribers, %s received", kind, in)
          .isLessThanOrEqualTo(2 * in).isGreaterThan(1.2 * in);
      assertThat(end.get(bytes(kind, "out"))).as("%s bytes out", kind)
          .isLessThanOrEqualTo(2 * end.get(bytes(kind, "in"))).isGreaterThan(1.2 * end.get(bytes(kind, "in")));
    }
    // Bytes are RTP payload bytes: every synthetic audio packet carries 160.
    assertThat(end.get(bytes("audio", "in"))).isEqualTo(SyntheticMedia.AUDIO_FRAME_BYTES * end.get(packets("audio", "in")));
    assertThat(end.get(bytes("audio", "out"))).isEqualTo(SyntheticMedia.AUDIO_FRAME_BYTES * end.get(packets("audio", "out")));
    assertThat(end.get(bytes("video", "in")) / end.get(packets("video", "in"))).isBetween(500.0, 1200.0);

    // Loopback: a round trip well under a second, no loss, jitter of the senders' timers at most.
    assertThat(mean(end, "fanout_rtt_seconds", "")).isBetween(0.0, 1.0);
    for (String kind : new String[] {"audio", "video"}) {
      assertThat(mean(end, "fanout_subscriber_fraction_lost", "{kind=\"" + kind + "\"}")).as(kind).isBetween(0.0, 0.05);
      assertThat(mean(end, "fanout_publisher_fraction_lost", "{kind=\"" + kind + "\"}")).as(kind).isBetween(0.0, 0.05);
      assertThat(mean(end, "fanout_subscriber_jitter_seconds", "{kind=\"" + kind + "\"}")).as(kind).isBetween(0.0, 0.5);
    }
    System.out.printf("metrics: %s%n", end.entrySet().stream()
        .filter(e -> e.getKey().startsWith("fanout_media_packets") || e.getKey().startsWith("fanout_media_bytes")
            || e.getKey().matches("fanout_(rtt|subscriber|publisher)_.*_(sum|count).*"))
        .sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue()).toList());
  }
}
