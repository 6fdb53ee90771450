package dev.fanout.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads the server's cost: its process CPU time, from {@code /proc/<pid>/stat} when the pid is
 * known or else from its {@code process_cpu_seconds_total} metric, and the RTP packets it sent,
 * from its {@code fanout_media_datagrams_sent_total} metric.
 */
final class ServerProbe {
  private final URI metrics;
  private final Long pid;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final double ticksPerSecond;

  record Sample(double cpuSeconds, double datagramsSent) {}

  ServerProbe(URI metrics, Long pid) {
    this.metrics = metrics;
    this.pid = pid;
    this.ticksPerSecond = pid == null ? 0 : clockTicks();
  }

  String cpuSource() {
    return pid != null ? "/proc/" + pid + "/stat" : "metric process_cpu_seconds_total";
  }

  Sample sample() throws IOException, InterruptedException {
    String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double sent = metric(text, "fanout_media_datagrams_sent_total");
    double cpu = pid != null ? procCpuSeconds() : metric(text, "process_cpu_seconds_total");
    return new Sample(cpu, sent);
  }

  /** utime + stime (fields 14 and 15 of proc(5)), in seconds. */
  private double procCpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
    // The command name (field 2) is in parentheses and may contain spaces.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(f[11]);
    long stime = Long.parseLong(f[12]);
    return (utime + stime) / ticksPerSecond;
  }

  private static double clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100; // the Linux default
    }
  }

  /** The value of an unlabelled sample in Prometheus text format; NaN when absent. */
  static double metric(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        String[] parts = line.trim().split("\\s+");
        return Double.parseDouble(parts[parts.length - 1]);
      }
    }
    return Double.NaN;
  }
}
