package dev.fanout.server;

import dev.fanout.dtls.DtlsStats;
import dev.fanout.ice.IceStats;
import dev.fanout.ice.net.MediaPortStats;
import dev.fanout.rtp.PacketClass;
import dev.fanout.sdp.MediaKind;
import dev.fanout.server.media.MediaStats;
import dev.fanout.server.media.Producer;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import dev.fanout.server.room.RoomObserver;
import dev.fanout.server.signaling.ErrorCode;
import dev.fanout.server.signaling.SignalingStats;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The server's Prometheus registry: JVM and process metrics (CPU seconds, memory, threads, GC)
 * plus Fanout's own (docs/metrics.md lists them). Counters that the media loop bumps are read
 * through callbacks, so the hot path never touches the registry; room events arrive as a
 * {@link RoomObserver}, RTCP report figures as {@link MediaStats.Reports} (once per report block).
 */
public final class Metrics implements RoomObserver {
  /** Fraction-lost buckets of report blocks (RFC 3550's 8-bit fraction; 0 is a bucket of its own). */
  private static final double[] LOSS_BUCKETS = {0, .01, .02, .05, .1, .2, .5, 1};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final boolean perRoom;
  private final Counter participantsLeft;
  private final Gauge tracks;
  private final Counter tracksPublished;
  private final Gauge roomParticipants;
  private final Gauge roomTracks;

  /** Where the figures come from; suppliers may be called from any thread. */
  public record Sources(MediaPortStats port, IceStats ice, DtlsStats dtls, MediaStats media,
      SignalingStats signaling, LongSupplier rooms, LongSupplier participants,
      LongSupplier httpConnections, LongSupplier httpRefused) {}

  public Metrics(Sources s, boolean perRoom) {
    this.perRoom = perRoom;
    JvmMetrics.builder().register(registry);
    Info.builder().name("fanout_build_info").help("The Fanout build that is running").labelNames("version", "commit")
        .register(registry).addLabelValues(BuildInfo.version(), BuildInfo.commit());
    CounterWithCallback.builder()
        .name("fanout_media_datagrams_received")
        .help("Datagrams received on the media port, by RFC 7983 class")
        .labelNames("class")
        .callback(cb -> {
          cb.call(s.port().count(PacketClass.STUN), "stun");
          cb.call(s.port().count(PacketClass.DTLS), "dtls");
          cb.call(s.port().count(PacketClass.RTP_RTCP), "rtp_rtcp");
          cb.call(s.port().count(PacketClass.UNKNOWN), "unknown");
        })
        .register(registry);
    counter("fanout_media_received_bytes", "Bytes received on the media port", s.port()::bytes);
    counter("fanout_media_datagrams_sent", "Datagrams sent from the media port: forwarded RTP, RTCP, DTLS, STUN answers",
        s.ice()::sent);
    gauge("fanout_rooms", "Rooms open now", s.rooms());
    gauge("fanout_participants", "Participants connected now", s.participants());
    gauge("fanout_http_connections", "HTTP and WebSocket connections open now", s.httpConnections());
    counter("fanout_http_connections_refused", "HTTP connections refused by the connection limits", s.httpRefused());

    counter("fanout_joins", "Joins accepted", s.signaling()::joins);
    CounterWithCallback.builder()
        .name("fanout_join_failures")
        .help("Joins refused, by error code")
        .labelNames("code")
        .callback(cb -> {
          for (ErrorCode c : ErrorCode.values()) {
            long n = s.signaling().joinFailures(c);
            if (n > 0) {
              cb.call(n, c.name());
            }
          }
        })
        .register(registry);
    participantsLeft = Counter.builder().name("fanout_participants_left").help("Participants that left, by reason")
        .labelNames("reason").register(registry);
    tracks = Gauge.builder().name("fanout_tracks").help("Published tracks now, by kind and source")
        .labelNames("kind", "source").register(registry);
    tracksPublished = Counter.builder().name("fanout_tracks_published").help("Tracks published, by kind and source")
        .labelNames("kind", "source").register(registry);
    if (perRoom) {
      roomParticipants = Gauge.builder().name("fanout_room_participants").help("Participants now, per room")
          .labelNames("room").register(registry);
      roomTracks = Gauge.builder().name("fanout_room_tracks").help("Published tracks now, per room")
          .labelNames("room").register(registry);
    } else {
      roomParticipants = null;
      roomTracks = null;
    }

    gauge("fanout_subscriptions", "Subscriptions now: one per subscriber and track", s.media()::subscriptions);
    CounterWithCallback.builder()
        .name("fanout_rtcp_feedback_received")
        .help("Feedback packets subscribers sent, by type")
        .labelNames("type")
        .callback(cb -> {
          cb.call(s.media().nacksFromSubscribers(), "nack");
          cb.call(s.media().plisFromSubscribers(), "pli");
          cb.call(s.media().firsFromSubscribers(), "fir");
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("fanout_rtcp_feedback_sent")
        .help("Feedback packets the server sent to publishers, by type")
        .labelNames("type")
        .callback(cb -> {
          cb.call(s.media().nacksToPublishers(), "nack");
          cb.call(s.media().plisToPublishers(), "pli");
        })
        .register(registry);
    perKind("fanout_media_packets",
        "RTP packets of published tracks received from publishers (in) and forwarded to subscribers (out)",
        s.media()::packetsReceived, s.media()::packetsForwarded);
    perKind("fanout_media_bytes", "RTP payload bytes of fanout_media_packets_total",
        s.media()::bytesReceived, s.media()::bytesForwarded);
    s.media().observeReports(new ReportHistograms(registry));
    counter("fanout_repairs_sent", "Packets re-sent to subscribers in answer to NACKs", s.media()::repairsSent);
    counter("fanout_repairs_received", "Publisher retransmissions (RTX) that repaired a packet", s.media()::repairsReceived);

    CounterWithCallback.builder()
        .name("fanout_ice_events")
        .help("ICE and media-port events: STUN check outcomes, consent expiries, connect timeouts, drops")
        .labelNames("event")
        .callback(cb -> {
          for (Map.Entry<String, Long> e : s.ice().snapshot().entrySet()) {
            if (!e.getKey().equals("sent")) {
              cb.call(e.getValue(), e.getKey());
            }
          }
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("fanout_dtls_handshakes")
        .help("DTLS handshakes by outcome; failed counts every failure, timeout and fingerprint_mismatch among them")
        .labelNames("result")
        .callback(cb -> {
          cb.call(s.dtls().handshakesStarted(), "started");
          cb.call(s.dtls().handshakesCompleted(), "completed");
          cb.call(s.dtls().handshakesFailed(), "failed");
          cb.call(s.dtls().handshakeTimeouts(), "timeout");
          cb.call(s.dtls().fingerprintMismatches(), "fingerprint_mismatch");
          cb.call(s.dtls().srtpNegotiationFailures(), "srtp_negotiation_failed");
          cb.call(s.dtls().overloadRejections(), "rejected_overload");
          cb.call(s.dtls().handshakesEvicted(), "evicted");
        })
        .register(registry);
    gauge("fanout_dtls_handshakes_in_progress", "DTLS handshakes started and not finished", s.dtls()::handshakesInProgress);
  }

  /** The report figures as histograms, each observed once per report block. */
  private static final class ReportHistograms implements MediaStats.Reports {
    private final DistributionDataPoint[] subscriberLoss = new DistributionDataPoint[MediaKind.values().length];
    private final DistributionDataPoint[] subscriberJitter = new DistributionDataPoint[MediaKind.values().length];
    private final DistributionDataPoint[] publisherLoss = new DistributionDataPoint[MediaKind.values().length];
    private final Histogram rtt;

    ReportHistograms(PrometheusRegistry registry) {
      Histogram loss = Histogram.builder().name("fanout_subscriber_fraction_lost")
          .help("Fraction of a forwarded stream's packets lost on the way to its subscriber, per receiver report block")
          .labelNames("kind").classicOnly().classicUpperBounds(LOSS_BUCKETS).register(registry);
      Histogram jitter = Histogram.builder().name("fanout_subscriber_jitter_seconds")
          .help("Interarrival jitter of a forwarded stream at its subscriber, per receiver report block")
          .labelNames("kind").classicOnly()
          .classicUpperBounds(.001, .002, .005, .01, .02, .03, .05, .1, .2, .5).register(registry);
      Histogram uplink = Histogram.builder().name("fanout_publisher_fraction_lost")
          .help("Fraction of a publisher's stream lost on the way to the server, per receiver report the server sends")
          .labelNames("kind").classicOnly().classicUpperBounds(LOSS_BUCKETS).register(registry);
      rtt = Histogram.builder().name("fanout_rtt_seconds")
          .help("Round trip to subscribers, from receiver reports answering the server's sender reports")
          .classicOnly().classicUpperBounds(.001, .002, .005, .01, .02, .05, .1, .2, .3, .5, 1, 2, 5)
          .register(registry);
      for (MediaKind k : MediaKind.values()) {
        subscriberLoss[k.ordinal()] = loss.labelValues(k.sdpName());
        subscriberJitter[k.ordinal()] = jitter.labelValues(k.sdpName());
        publisherLoss[k.ordinal()] = uplink.labelValues(k.sdpName());
      }
    }

    @Override
    public void subscriberReport(MediaKind kind, double fractionLost, double jitterSeconds) {
      subscriberLoss[kind.ordinal()].observe(fractionLost);
      subscriberJitter[kind.ordinal()].observe(jitterSeconds);
    }

    @Override
    public void roundTrip(double seconds) {
      rtt.observe(seconds);
    }

    @Override
    public void publisherLoss(MediaKind kind, double fractionLost) {
      publisherLoss[kind.ordinal()].observe(fractionLost);
    }
  }

  /** A counter labelled by media kind and direction ({@code in} from publishers, {@code out} to subscribers). */
  private void perKind(String name, String help, ToLongFunction<MediaKind> in, ToLongFunction<MediaKind> out) {
    CounterWithCallback.builder().name(name).help(help).labelNames("kind", "direction")
        .callback(cb -> {
          for (MediaKind k : MediaKind.values()) {
            cb.call(in.applyAsLong(k), k.sdpName(), "in");
            cb.call(out.applyAsLong(k), k.sdpName(), "out");
          }
        })
        .register(registry);
  }

  private void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  private void gauge(String name, String help, LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  @Override
  public void participantJoined(Room room, Participant participant) {
    if (perRoom) {
      roomParticipants.labelValues(room.name()).inc();
    }
  }

  @Override
  public void participantLeft(Room room, Participant participant, String reason) {
    participantsLeft.labelValues(reason).inc();
    if (perRoom) {
      roomParticipants.labelValues(room.name()).dec();
    }
  }

  @Override
  public void trackPublished(Room room, Participant participant, Producer track) {
    tracks.labelValues(track.kind().sdpName(), track.source()).inc();
    tracksPublished.labelValues(track.kind().sdpName(), track.source()).inc();
    if (perRoom) {
      roomTracks.labelValues(room.name()).inc();
    }
  }

  @Override
  public void trackUnpublished(Room room, Participant participant, Producer track) {
    tracks.labelValues(track.kind().sdpName(), track.source()).dec();
    if (perRoom) {
      roomTracks.labelValues(room.name()).dec();
    }
  }

  @Override
  public void roomFinished(Room room) {
    if (perRoom) {
      // A closed room's series go away, so the label set stays as large as the open rooms.
      roomParticipants.remove(room.name());
      roomTracks.remove(room.name());
    }
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
