package dev.fanout.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fanout.client.ClientContext;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.rtp.srtp.SrtpCrypto;
import dev.fanout.rtp.srtp.SrtpProfile;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fanout-bench load}: publishers and subscribers on the {@code client} module against a
 * running server, a progress line per second, and a report of what it cost the server per
 * forwarded packet against the floor measured in the same run.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Loads a running Fanout server with real ICE/DTLS/SRTP clients and reports its cost per forwarded packet.")
final class LoadCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080/rtc",
      description = "the server: its signaling URL, or http(s)://host:port as the SDK takes it (default: ${DEFAULT-VALUE})")
  URI url;

  @Option(names = "--room", defaultValue = "load", description = "room name (default: ${DEFAULT-VALUE})")
  String room;

  @Option(names = "--publishers", defaultValue = "1", description = "publishers, each with one video and one audio track (default: ${DEFAULT-VALUE})")
  int publishers;

  @Option(names = "--subscribers", defaultValue = "10", description = "subscribers, each subscribed to every track (default: ${DEFAULT-VALUE})")
  int subscribers;

  @Option(names = "--duration", defaultValue = "30", description = "seconds measured at each subscriber count (default: ${DEFAULT-VALUE})")
  int duration;

  @Option(names = "--warmup", defaultValue = "3", description = "seconds before measuring at each step (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--bitrate", defaultValue = "1500000", description = "video bits per second per publisher, 30 frames/s of packets up to 1200 bytes; audio adds 50 packets/s (default: ${DEFAULT-VALUE})")
  long bitrate;

  @Option(names = "--ramp", description = "start at --ramp-start subscribers and add --ramp-step per step until loss > 0.1 %% or p99 > 10 ms, or --subscribers is reached")
  boolean ramp;

  @Option(names = "--ramp-start", defaultValue = "10", description = "subscribers at the first step of --ramp (default: ${DEFAULT-VALUE})")
  int rampStart;

  @Option(names = "--ramp-step", defaultValue = "10", description = "subscribers added at each step of --ramp (default: ${DEFAULT-VALUE})")
  int rampStep;

  @Option(names = "--receiver-reports", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "subscribers send a receiver report per track once a second, as browsers do, so the server's loss, jitter and round-trip metrics have figures (default: ${DEFAULT-VALUE})")
  boolean receiverReports;

  @Option(names = "--key", description = "API key as NAME:SECRET to mint tokens with (default: the server's /dev/token)")
  String key;

  @Option(names = "--server-pid", description = "the server's process id, to read its CPU time from /proc (default: its process_cpu_seconds_total metric)")
  Long serverPid;

  @Option(names = "--client-threads", defaultValue = "1", description = "event loops of the generator's clients (default: ${DEFAULT-VALUE})")
  int clientThreads;

  @Option(names = "--report", description = "write the JSON report here")
  File report;

  @Option(names = "--plot", description = "draw pps, server µs per packet and p99 against subscribers into this PNG")
  File plot;

  private final HttpClient http = HttpClient.newHttpClient();
  private Tokens tokens;

  @Override
  public Integer call() throws Exception {
    if (publishers < 1 || subscribers < 1 || duration < 1 || rampStart < 1 || rampStep < 1) {
      System.err.println("fanout-bench: counts and durations must be positive");
      return 2;
    }
    String scheme = String.valueOf(url.getScheme());
    if (scheme.equals("http") || scheme.equals("https")) {
      url = URI.create(scheme.replace("http", "ws") + "://" + url.getRawAuthority() + "/rtc");
    } else if (!scheme.equals("ws") && !scheme.equals("wss")) {
      System.err.println("fanout-bench: --url must be ws(s)://host:port/rtc or http(s)://host:port, not " + url);
      return 2;
    }
    boolean openSsl = SrtpCrypto.preferOpenSsl();
    tokens = key != null ? Tokens.minting(key) : Tokens.fromDevEndpoint(http, httpBase().resolve("/dev/token"));
    System.out.printf("floor: measuring SRTP protect (%s) + loopback UDP send of 1200 bytes...%n", SrtpProfile.AEAD_AES_128_GCM);
    Floor.Result floor = Floor.measure(SrtpProfile.AEAD_AES_128_GCM, 1200);
    System.out.printf(Locale.ROOT, "floor: protect %.2f µs + send %.2f µs = %.2f µs per packet%n",
        floor.protectMicros(), floor.sendMicros(), floor.totalMicros());

    ServerProbe probe = new ServerProbe(httpBase().resolve("/metrics"), serverPid);
    Reception reception = new Reception();
    List<Step> steps = new ArrayList<>();
    List<FanoutClient> clients = new ArrayList<>();
    List<SyntheticMedia> sources = new ArrayList<>();
    try (ClientContext ctx = ClientContext.create(clientThreads, Duration.ofSeconds(20))) {
      List<String> trackIds = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        FanoutClient pub = FanoutClient.connect(url, ctx);
        clients.add(pub);
        pub.join(tokens.mint(room, "pub-" + p));
        LocalTrack video = LocalTrack.video("camera");
        LocalTrack audio = LocalTrack.audio("microphone");
        pub.publish(video, audio);
        trackIds.add(video.trackId());
        trackIds.add(audio.trackId());
        sources.add(SyntheticMedia.start(pub, video, audio, bitrate, 30));
      }
      List<Integer> targets = new ArrayList<>();
      if (ramp) {
        for (int s = rampStart; s <= subscribers; s += rampStep) {
          targets.add(s);
        }
      }
      if (targets.isEmpty()) {
        targets.add(subscribers); // no ramp, or --ramp-start above --subscribers
      }
      int connected = 0;
      for (int target : targets) {
        for (; connected < target; connected++) {
          FanoutClient sub = FanoutClient.connect(url, ctx);
          clients.add(sub);
          sub.onRtp(reception.newSubscriber());
          sub.reportReception(receiverReports);
          sub.join(tokens.mint(room, "sub-" + connected));
          for (String id : trackIds) {
            sub.subscribe(id);
          }
        }
        Step step = measure(target, reception, probe, floor);
        steps.add(step);
        System.out.println(step.summary());
        if (ramp && (step.lossPercent > 0.1 || step.latencyP99Millis > 10)) {
          System.out.println("ramp: stopping, the last step exceeded 0.1 % loss or 10 ms p99");
          break;
        }
      }
      sources.forEach(SyntheticMedia::close);
      // Subscribers first, so no one is sent offers for tracks that are going away.
      for (int i = clients.size() - 1; i >= 0; i--) {
        clients.get(i).close();
      }
    }
    Map<String, Object> out = report(steps, floor, openSsl, probe);
    if (report != null) {
      JSON.writeValue(report, out);
      System.out.println("report: " + report);
    }
    if (plot != null) {
      LoadPlot.write(steps, plot);
      System.out.println("plot: " + plot);
    }
    return 0;
  }

  /** One measured subscriber count. */
  static final class Step {
    int subscribers;
    double seconds;
    double outgoingPps;
    double lossPercent;
    long late;
    long duplicates;
    long corrupt;
    double latencyP50Millis;
    double latencyP99Millis;
    double latencyMaxMillis;
    double serverCpuMicrosPerPacket;
    double serverCpuPercent;
    double ratio;
    String packetsCountedBy;

    String summary() {
      return String.format(Locale.ROOT,
          "step %d subscribers: %.0f pps out, loss %.3f %%, p50 %.2f ms, p99 %.2f ms, server %.2f µs/packet (%.0f %% CPU), ratio to floor %.2f",
          subscribers, outgoingPps, lossPercent, latencyP50Millis, latencyP99Millis, serverCpuMicrosPerPacket,
          serverCpuPercent, ratio);
    }
  }

  private Step measure(int subs, Reception reception, ServerProbe probe, Floor.Result floor) throws Exception {
    Thread.sleep(warmup * 1000L);
    reception.latency.getIntervalHistogram(); // drop what came before the window
    Histogram window = new Histogram(Duration.ofSeconds(10).toNanos() / 1000, 3);
    Reception.Counts c0 = reception.counts();
    ServerProbe.Sample s0 = probe.sample();
    long t0 = System.nanoTime();
    Reception.Counts last = c0;
    for (int second = 1; second <= duration; second++) {
      long wake = t0 + second * 1_000_000_000L;
      Thread.sleep(Math.max(0, (wake - System.nanoTime()) / 1_000_000));
      Histogram h = reception.latency.getIntervalHistogram();
      window.add(h);
      Reception.Counts now = reception.counts();
      Reception.Counts d = now.minus(last);
      last = now;
      System.out.printf(Locale.ROOT, "[%3ds] subscribers %d  %6d pps  loss %.3f %%  p99 %.2f ms%n",
          second, subs, d.packets(), now.minus(c0).lossPercent(), h.getValueAtPercentile(99) / 1000.0);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    ServerProbe.Sample s1 = probe.sample();
    Reception.Counts d = reception.counts().minus(c0);
    Step step = new Step();
    step.subscribers = subs;
    step.seconds = seconds;
    step.outgoingPps = d.packets() / seconds;
    step.lossPercent = d.lossPercent();
    step.late = d.late();
    step.duplicates = d.duplicates();
    step.corrupt = d.corrupt();
    step.latencyP50Millis = window.getValueAtPercentile(50) / 1000.0;
    step.latencyP99Millis = window.getValueAtPercentile(99) / 1000.0;
    step.latencyMaxMillis = window.getMaxValue() / 1000.0;
    double sent = s1.datagramsSent() - s0.datagramsSent();
    step.packetsCountedBy = "server metric fanout_media_datagrams_sent_total";
    if (Double.isNaN(sent) || sent <= 0) {
      sent = d.packets();
      step.packetsCountedBy = "packets received by the subscribers";
    }
    double cpu = s1.cpuSeconds() - s0.cpuSeconds();
    step.serverCpuMicrosPerPacket = cpu * 1e6 / sent;
    step.serverCpuPercent = 100 * cpu / seconds;
    step.ratio = step.serverCpuMicrosPerPacket / floor.totalMicros();
    return step;
  }

  private Map<String, Object> report(List<Step> steps, Floor.Result floor, boolean openSsl, ServerProbe probe) {
    Map<String, Object> r = new LinkedHashMap<>();
    Step last = steps.get(steps.size() - 1);
    r.put("date", Instant.now().toString());
    r.put("outgoingPps", round(last.outgoingPps));
    r.put("lossPercent", last.lossPercent);
    r.put("latencyP50Millis", last.latencyP50Millis);
    r.put("latencyP99Millis", last.latencyP99Millis);
    r.put("serverCpuMicrosPerPacket", round(last.serverCpuMicrosPerPacket));
    r.put("floorMicrosPerPacket", round(floor.totalMicros()));
    r.put("ratio", round(last.ratio));
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("url", url.toString());
    params.put("publishers", publishers);
    params.put("subscribers", last.subscribers);
    params.put("durationSeconds", duration);
    params.put("warmupSeconds", warmup);
    params.put("videoBitsPerSecond", bitrate);
    params.put("videoFramesPerSecond", 30);
    params.put("audioPacketsPerSecond", 50);
    params.put("ramp", ramp);
    params.put("clientThreads", clientThreads);
    params.put("fullPayloadCheckEvery", Reception.VERIFY_EVERY);
    r.put("parameters", params);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("srtpProfile", SrtpProfile.AEAD_AES_128_GCM.toString());
    f.put("packetBytes", 1200);
    f.put("protectMicros", round(floor.protectMicros()));
    f.put("loopbackSendMicros", round(floor.sendMicros()));
    r.put("floor", f);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("openSsl", openSsl);
    m.put("serverCpuFrom", probe.cpuSource());
    r.put("machine", m);
    r.put("steps", steps.stream().map(LoadCommand::stepMap).toList());
    return r;
  }

  private static Map<String, Object> stepMap(Step s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subscribers", s.subscribers);
    m.put("seconds", round(s.seconds));
    m.put("outgoingPps", round(s.outgoingPps));
    m.put("lossPercent", s.lossPercent);
    m.put("latePackets", s.late);
    m.put("duplicatePackets", s.duplicates);
    m.put("corruptPackets", s.corrupt);
    m.put("latencyP50Millis", s.latencyP50Millis);
    m.put("latencyP99Millis", s.latencyP99Millis);
    m.put("latencyMaxMillis", s.latencyMaxMillis);
    m.put("serverCpuMicrosPerPacket", round(s.serverCpuMicrosPerPacket));
    m.put("serverCpuPercent", round(s.serverCpuPercent));
    m.put("ratio", round(s.ratio));
    m.put("packetsCountedBy", s.packetsCountedBy);
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private URI httpBase() {
    String scheme = url.getScheme().equals("wss") ? "https" : "http";
    return URI.create(scheme + "://" + url.getRawAuthority() + "/");
  }

  /** Where access tokens come from. */
  interface Tokens {
    String mint(String room, String identity) throws Exception;

    static Tokens minting(String keyAndSecret) {
      int colon = keyAndSecret.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("--key must be NAME:SECRET");
      }
      dev.fanout.server.auth.AccessTokens t = new dev.fanout.server.auth.AccessTokens(
          Map.of(keyAndSecret.substring(0, colon), keyAndSecret.substring(colon + 1)), java.time.Clock.systemUTC());
      String name = keyAndSecret.substring(0, colon);
      return (room, identity) -> t.mint(name,
          new dev.fanout.server.auth.AccessTokens.Grant(room, identity, identity, true, true, null), Duration.ofHours(1));
    }

    static Tokens fromDevEndpoint(HttpClient http, URI endpoint) {
      return (room, identity) -> {
        URI u = URI.create(endpoint + "?room=" + URLEncoder.encode(room, StandardCharsets.UTF_8)
            + "&identity=" + URLEncoder.encode(identity, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("GET " + u + " answered " + r.statusCode()
              + ": is the server in --dev mode? Otherwise pass --key NAME:SECRET");
        }
        JsonNode n = JSON.readTree(r.body());
        return n.path("token").asText();
      };
    }
  }
}
