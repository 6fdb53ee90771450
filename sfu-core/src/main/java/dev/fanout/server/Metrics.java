package dev.fanout.server;

import dev.fanout.ice.net.MediaPortStats;
import dev.fanout.rtp.PacketClass;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * The server's Prometheus registry: JVM and process metrics (CPU seconds, memory, threads, GC)
 * plus Fanout's own counters, read through callbacks so the hot path only bumps its counters.
 */
public final class Metrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public Metrics(MediaPortStats media, LongSupplier sent, LongSupplier rooms, LongSupplier participants) {
    JvmMetrics.builder().register(registry);
    CounterWithCallback.builder()
        .name("fanout_media_datagrams_received")
        .help("Datagrams received on the media port, by RFC 7983 class")
        .labelNames("class")
        .callback(cb -> {
          cb.call(media.count(PacketClass.STUN), "stun");
          cb.call(media.count(PacketClass.DTLS), "dtls");
          cb.call(media.count(PacketClass.RTP_RTCP), "rtp_rtcp");
          cb.call(media.count(PacketClass.UNKNOWN), "unknown");
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("fanout_media_received_bytes")
        .help("Bytes received on the media port")
        .callback(cb -> cb.call(media.bytes()))
        .register(registry);
    CounterWithCallback.builder()
        .name("fanout_media_datagrams_sent")
        .help("Datagrams sent from the media port: forwarded RTP, RTCP, DTLS, STUN answers")
        .callback(cb -> cb.call(sent.getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fanout_rooms")
        .help("Rooms open now")
        .callback(cb -> cb.call(rooms.getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fanout_participants")
        .help("Participants connected now")
        .callback(cb -> cb.call(participants.getAsLong()))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** The whole registry in Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
