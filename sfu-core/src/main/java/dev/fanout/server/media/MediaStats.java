package dev.fanout.server.media;

import dev.fanout.sdp.MediaKind;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one server's media, for {@code /metrics}: bumped on the media loop at control
 * events (a subscription, a NACK, a keyframe request, a repair, a report tick), never per
 * forwarded packet, and read from the scrape thread. Per-packet figures are counted in plain
 * fields of their producer or down track and added here once a second and when the track ends
 * ({@link Producer#publishCounts}, {@link DownTrack#publishCounts}).
 */
public final class MediaStats {
  final LongAdder subscriptionsOpened = new LongAdder();
  final LongAdder subscriptionsClosed = new LongAdder();
  final LongAdder nacksFromSubscribers = new LongAdder();
  final LongAdder plisFromSubscribers = new LongAdder();
  final LongAdder firsFromSubscribers = new LongAdder();
  final LongAdder nacksToPublishers = new LongAdder();
  final LongAdder plisToPublishers = new LongAdder();
  final LongAdder repairsSent = new LongAdder();
  final LongAdder repairsReceived = new LongAdder();
  /** By {@link MediaKind#ordinal()}. */
  private final LongAdder[] packetsIn = adders();
  private final LongAdder[] bytesIn = adders();
  private final LongAdder[] packetsOut = adders();
  private final LongAdder[] bytesOut = adders();
  private volatile Reports reports = Reports.NONE;

  /**
   * Where the figures of RTCP reception reports go (RFC 3550 §6.4): called on a media loop once
   * per report block, about once a second per stream, so an implementation may take its time.
   */
  public interface Reports {
    Reports NONE = new Reports() {
      @Override
      public void subscriberReport(MediaKind kind, double fractionLost, double jitterSeconds) {}

      @Override
      public void roundTrip(double seconds) {}

      @Override
      public void publisherLoss(MediaKind kind, double fractionLost) {}
    };

    /**
     * A subscriber's report block about a stream the server sends it: the fraction of the
     * stream's packets lost in the report's interval (0..1, before any repair) and the
     * interarrival jitter in seconds.
     */
    void subscriberReport(MediaKind kind, double fractionLost, double jitterSeconds);

    /** A round trip to a subscriber, from a report block answering one of the server's sender reports. */
    void roundTrip(double seconds);

    /** The fraction (0..1) of a publisher's stream lost on its way to the server in the last report interval. */
    void publisherLoss(MediaKind kind, double fractionLost);
  }

  private static LongAdder[] adders() {
    LongAdder[] a = new LongAdder[MediaKind.values().length];
    for (int i = 0; i < a.length; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** Sends report figures to {@code r} from now on. */
  public void observeReports(Reports r) {
    this.reports = r;
  }

  Reports reports() {
    return reports;
  }

  void received(MediaKind kind, long packets, long bytes) {
    packetsIn[kind.ordinal()].add(packets);
    bytesIn[kind.ordinal()].add(bytes);
  }

  void forwarded(MediaKind kind, long packets, long bytes) {
    packetsOut[kind.ordinal()].add(packets);
    bytesOut[kind.ordinal()].add(bytes);
  }

  /** Down tracks open now: one per subscriber and track. */
  public long subscriptions() {
    return subscriptionsOpened.sum() - subscriptionsClosed.sum();
  }

  /**
   * RTP packets of published tracks the server received, in their streams or as RTX
   * retransmissions (RFC 4588) counted as the packet they carry; padding-only probes on an RTX
   * stream carry none and are not counted.
   */
  public long packetsReceived(MediaKind kind) {
    return packetsIn[kind.ordinal()].sum();
  }

  /** RTP payload octets of {@link #packetsReceived} (headers and padding excluded, as in RFC 3550's octet count). */
  public long bytesReceived(MediaKind kind) {
    return bytesIn[kind.ordinal()].sum();
  }

  /**
   * RTP packets forwarded to subscribers, one per subscriber that got it; repairs answering a
   * subscriber's NACK are not counted here ({@link #repairsSent}).
   */
  public long packetsForwarded(MediaKind kind) {
    return packetsOut[kind.ordinal()].sum();
  }

  /** RTP payload octets of {@link #packetsForwarded}. */
  public long bytesForwarded(MediaKind kind) {
    return bytesOut[kind.ordinal()].sum();
  }

  /** Generic NACK packets (RFC 4585 §6.2.1) subscribers sent. */
  public long nacksFromSubscribers() {
    return nacksFromSubscribers.sum();
  }

  /** PLIs (RFC 4585 §6.3.1) subscribers sent. */
  public long plisFromSubscribers() {
    return plisFromSubscribers.sum();
  }

  /** FIRs (RFC 5104 §4.3.1) subscribers sent. */
  public long firsFromSubscribers() {
    return firsFromSubscribers.sum();
  }

  /** Generic NACK packets the server sent to publishers. */
  public long nacksToPublishers() {
    return nacksToPublishers.sum();
  }

  /** PLIs the server sent to publishers. */
  public long plisToPublishers() {
    return plisToPublishers.sum();
  }

  /** Packets re-sent to subscribers in answer to their NACKs (RTX or plain). */
  public long repairsSent() {
    return repairsSent.sum();
  }

  /** Publisher retransmissions (RTX, RFC 4588) that repaired a packet. */
  public long repairsReceived() {
    return repairsReceived.sum();
  }
}
