package dev.fanout.server.media;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpSequenceTracker;
import dev.fanout.rtp.feedback.NackGenerator;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedCodec;
import dev.fanout.sdp.NegotiatedMedia;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One published track: its receive streams (one, or one per simulcast layer), each with its own
 * sequence tracking, sender-report clock and retransmission cache, and the {@link DownTrack}s it
 * feeds. Every packet of every layer goes to every down track, whose forwarder keeps the layer it
 * forwards until the target layer's keyframe arrives. Lives on the room's loop.
 *
 * <p>Target layer: the highest layer that is sending. A layer that has sent nothing for {@link
 * #LAYER_IDLE_NANOS}, or four of its own frame intervals if that is longer (a still screen may
 * send one frame a second), while a lower one is sending counts as paused (a browser pauses its
 * top layer when its uplink or CPU is short); the target falls to the highest layer still
 * sending, and rises again with the first packet of a higher layer. (Choosing per subscriber by
 * its bandwidth comes with the estimator.)
 */
public final class Producer {
  /** At most one keyframe request per producer in this window. */
  static final long KEYFRAME_REQUEST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** A layer silent this long (at least), while another sends, is paused. */
  static final long LAYER_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

  /** Where a producer's requests to its publisher go (the publish connection's feedback). */
  interface Upstream {
    /** Asks the publisher for a keyframe of the stream {@code mediaSsrc} (PLI). */
    void requestKeyframe(int mediaSsrc);
  }

  private final String trackId;
  private final String publisher;
  private final String source;
  private final Upstream upstream;
  private final MediaStats stats;
  private final NegotiatedMedia media;
  private final MediaKind kind;
  private boolean muted;
  /** Muted by an administrator: the server drops what the publisher still sends. */
  private boolean blocked;
  /** Payload type → how to read its payload, fixed at negotiation. */
  private final PayloadFormat[] formats = new PayloadFormat[128];
  private final IngressPacket ingress = new IngressPacket(new PayloadFormat.Parsers());
  private final List<DownTrack> downTracks = new ArrayList<>();
  private final List<Layer> layers = new ArrayList<>();
  private Layer target;
  private long lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
  private boolean keyframeWanted;
  private boolean closed;
  /** abs-send-time of {@link #absSendTimeNanos}: one packet's value for all its down tracks. */
  private long absSendTimeNanos;
  private int absSendTime = Munger.absSendTime(0);
  /** What {@link #publishCounts} has added to {@link MediaStats} so far: packets, payload octets. */
  private long packetsPublished;
  private long octetsPublished;

  /** One receive stream of the producer (one simulcast layer). */
  static final class Layer {
    final Producer producer;
    final int ssrc;
    final int rank;
    final RtpSequenceTracker sequence = new RtpSequenceTracker();
    /** Copies of the last packets, for NACKs (video only). */
    final RetransmissionCache cache;
    /** What the layer misses, to NACK the publisher for (video only). */
    final NackGenerator nacks;
    long lastSrNtp;
    long lastSrRtp;
    long lastSrArrivalNanos;
    long lastSrCompact;
    /** Packets that came in the stream, those restored from RTX, and the payload octets of both. */
    long packets;
    long repaired;
    long octets;
    /** Packets the NACK generator gave up or dropped, as last seen (see PublisherFeedback). */
    long unrecoverable;
    long lastArrivalNanos;
    long lastTimestamp = -1;
    long lastFrameNanos;
    /** Smoothed time between frames (new RTP timestamps), 0 until known. */
    long frameIntervalNanos;

    Layer(Producer producer, int ssrc, int rank, boolean video) {
      this.producer = producer;
      this.ssrc = ssrc;
      this.rank = rank;
      // ≥ 2 s of 4 Mbit/s video at 1200 bytes per packet; slots are allocated on first use.
      this.cache = video ? new RetransmissionCache(1024, TimeUnit.SECONDS.toNanos(2)) : null;
      // No reorder allowance: the first NACK leaves with the packet that revealed the gap, as
      // libwebrtc's receiver sends it by default. Waiting 5 ms meant waking a timer, and on a
      // loaded machine the first request left 7–25 ms after the gap at the median (uplink
      // browser test); a publisher's packets are seldom reordered, and one that is costs a
      // needless retransmission.
      this.nacks = video ? new NackGenerator(NackGenerator.DEFAULT_MAX_MISSING, NackGenerator.DEFAULT_MAX_RETRIES,
          NackGenerator.DEFAULT_MAX_AGE_NANOS, 0) : null;
    }

    /** Whether the layer has been silent long enough, for its frame rate, to count as paused. */
    boolean idle(long nowNanos) {
      return nowNanos - lastArrivalNanos > Math.max(LAYER_IDLE_NANOS, 4 * frameIntervalNanos);
    }

    void frameClock(long timestamp, long nowNanos) {
      if (timestamp == lastTimestamp) {
        return;
      }
      if (lastFrameNanos != 0) {
        long interval = Math.min(nowNanos - lastFrameNanos, TimeUnit.SECONDS.toNanos(2));
        frameIntervalNanos = frameIntervalNanos == 0 ? interval : frameIntervalNanos - (frameIntervalNanos >> 3) + (interval >> 3);
      }
      lastTimestamp = timestamp;
      lastFrameNanos = nowNanos;
    }

    /** Copies cached packet {@code seq} to {@code out} at 0; its length, or -1 if it is gone. */
    int copyCached(int seq, byte[] out, long nowNanos) {
      return cache == null ? -1 : cache.copyTo(seq, out, 0, nowNanos);
    }

    /**
     * The layer's sender clock at {@code nowNanos}, extrapolated from its last SR: NTP time and
     * RTP timestamp into {@code ntpAndRtp}. False before the first SR.
     */
    boolean senderClock(long nowNanos, long[] ntpAndRtp) {
      if (lastSrArrivalNanos == 0) {
        return false;
      }
      long elapsed = nowNanos - lastSrArrivalNanos;
      ntpAndRtp[0] = lastSrNtp + (long) (elapsed / 1e9 * (1L << 32));
      ntpAndRtp[1] = (lastSrRtp + elapsed * producer.clockRate() / 1_000_000_000L) & 0xffffffffL;
      return true;
    }
  }

  Producer(String trackId, String publisher, String source, boolean muted, NegotiatedMedia media, Upstream upstream,
      MediaStats stats) {
    this.trackId = trackId;
    this.publisher = publisher;
    this.source = source;
    this.muted = muted;
    this.upstream = upstream;
    this.stats = stats;
    this.media = media;
    this.kind = media.kind();
    java.util.Arrays.fill(formats, PayloadFormat.UNKNOWN);
    for (NegotiatedCodec c : media.codecs()) {
      if (c.payloadType() >= 0 && c.payloadType() < 128) {
        formats[c.payloadType()] = kind == MediaKind.VIDEO ? PayloadFormat.of(c.name()) : PayloadFormat.OPAQUE;
      }
    }
  }

  public String trackId() {
    return trackId;
  }

  /** The identity of the peer that publishes the track. */
  public String publisher() {
    return publisher;
  }

  /** What the publisher says the track is: camera, microphone, screen, screen-audio, custom, file. */
  public String source() {
    return source;
  }

  /** Whether the publisher said it sends nothing for now (its sender decides; this is what peers are told). */
  public boolean muted() {
    return muted;
  }

  void setMuted(boolean muted) {
    this.muted = muted;
  }

  /** An administrator's mute: while blocked the server forwards none of the track. */
  void setBlocked(boolean blocked, long nowNanos) {
    boolean resumed = this.blocked && !blocked;
    this.blocked = blocked;
    if (resumed) {
      // What was dropped meanwhile is not lost to the subscribers: their streams go on where they
      // stopped, and video from the keyframe asked for here.
      for (int i = 0, n = downTracks.size(); i < n; i++) {
        downTracks.get(i).resumeAfterGap();
      }
      lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
      requestKeyframe(nowNanos);
    }
  }

  /** The mid of the publisher's media section carrying the track. */
  public String mid() {
    return media.mid();
  }

  /** The simulcast RIDs in the publisher's order (lowest first), or none without simulcast. */
  public List<String> simulcastRids() {
    return media.rids().size() > 1 ? media.rids() : List.of();
  }

  public MediaKind kind() {
    return kind;
  }

  public NegotiatedMedia media() {
    return media;
  }

  List<Layer> layers() {
    return layers;
  }

  /** The layer every down track should forward; null before the first packet. */
  Layer target() {
    return target;
  }

  /** Clock rate of the track's first codec (all codecs of one kind share it in WebRTC). */
  int clockRate() {
    return media.codecs().isEmpty() ? 90000 : media.codecs().get(0).clockRate();
  }

  /** {@link Munger#absSendTime} of {@code nowNanos}, computed once for all down tracks of a packet. */
  int absSendTime(long nowNanos) {
    if (nowNanos != absSendTimeNanos) {
      absSendTime = Munger.absSendTime(nowNanos);
      absSendTimeNanos = nowNanos;
    }
    return absSendTime;
  }

  /** Registers an SSRC as a layer; {@code rid} is null without simulcast. */
  Layer addLayer(int ssrc, String rid) {
    int rank = rid == null ? 0 : Math.max(0, media.rids().indexOf(rid));
    Layer l = new Layer(this, ssrc, rank, kind == MediaKind.VIDEO);
    layers.add(l);
    return l;
  }

  void addDownTrack(DownTrack d) {
    downTracks.add(d);
    requestKeyframe(System.nanoTime());
  }

  void removeDownTrack(DownTrack d) {
    downTracks.remove(d);
  }

  /**
   * A decrypted RTP packet of one of this producer's layers; {@code view} wraps it. {@code
   * repaired}: it arrived as a retransmission (RTX) of a packet the layer missed.
   */
  void onRtp(Layer layer, RtpPacket view, long nowNanos, boolean repaired) {
    if (closed) {
      return;
    }
    layer.sequence.update(view.sequenceNumber());
    if (layer.nacks != null) {
      layer.nacks.onPacket(view.sequenceNumber(), nowNanos);
    }
    layer.octets += view.payloadLength();
    if (repaired) {
      layer.repaired++;
    } else {
      layer.packets++;
      layer.lastArrivalNanos = nowNanos;
      layer.frameClock(view.timestamp(), nowNanos);
      chooseTarget(layer, nowNanos);
    }
    if (layer.cache != null) {
      layer.cache.store(view.sequenceNumber(), view.buffer(), view.offset(), view.length(), nowNanos);
    }
    if (blocked) {
      // Received and accounted (loss, NACKs, cache) as ever, forwarded to nobody: unblocking
      // then resumes a stream with no gap to repair.
      return;
    }
    ingress.fill(view, layer, nowNanos, formats[view.payloadType()]);
    for (int i = 0, n = downTracks.size(); i < n; i++) {
      downTracks.get(i).forward(ingress);
    }
    if (keyframeWanted) {
      requestKeyframe(nowNanos);
    }
  }

  /** Keeps {@link #target} on the highest layer that is sending; {@code layer} just sent. */
  private void chooseTarget(Layer layer, long nowNanos) {
    Layer t = target;
    if (t == layer) {
      return;
    }
    if (t == null || layer.rank > t.rank) {
      setTarget(layer, nowNanos);
    } else if (t.idle(nowNanos)) {
      Layer best = layer;
      for (Layer l : layers) {
        if (l.rank > best.rank && !l.idle(nowNanos) && l.packets > 0) {
          best = l;
        }
      }
      setTarget(best, nowNanos);
    }
  }

  private void setTarget(Layer layer, long nowNanos) {
    target = layer;
    if (kind == MediaKind.VIDEO && layers.size() > 1) {
      // Down tracks switch on the new layer's keyframe: ask for one now (RFC 4585 §6.3.1).
      lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
      requestKeyframe(nowNanos);
    }
  }

  /** A sender report for one of the layers. */
  void onSenderReport(Layer layer, long ntp, long rtpTimestamp, long nowNanos) {
    layer.lastSrNtp = ntp;
    layer.lastSrRtp = rtpTimestamp;
    layer.lastSrArrivalNanos = nowNanos;
    layer.lastSrCompact = (ntp >>> 16) & 0xffffffffL;
  }

  /**
   * Asks the publisher for a keyframe of the target layer (PLI, RFC 4585 §6.3.1), at most once
   * per 500 ms; a request inside the window is remembered and sent when it ends.
   */
  void requestKeyframe(long nowNanos) {
    if (kind != MediaKind.VIDEO || closed || blocked) {
      return;
    }
    if (nowNanos - lastKeyframeRequestNanos < KEYFRAME_REQUEST_INTERVAL_NANOS) {
      keyframeWanted = true;
      return;
    }
    Layer t = target;
    if (t == null && !layers.isEmpty()) {
      t = layers.get(layers.size() - 1);
    }
    if (t == null) {
      keyframeWanted = true;
      return;
    }
    keyframeWanted = false;
    lastKeyframeRequestNanos = nowNanos;
    upstream.requestKeyframe(t.ssrc);
  }

  /** RR report blocks (RFC 3550 §6.4.2) for each layer that received something. */
  List<ReportBlock> reportBlocks(long nowNanos) {
    List<ReportBlock> blocks = new ArrayList<>();
    for (Layer l : layers) {
      if (l.packets == 0) {
        continue;
      }
      long dlsr = l.lastSrArrivalNanos == 0 ? 0 : (nowNanos - l.lastSrArrivalNanos) * 65536 / 1_000_000_000L;
      blocks.add(new ReportBlock(l.ssrc, l.sequence.takeFractionLost(), l.sequence.cumulativeLost(),
          l.sequence.extendedHighest(), 0, l.lastSrCompact, dlsr));
    }
    return blocks;
  }

  /**
   * Adds the packets and payload octets the layers received since the last call to the server's
   * counters; called on the loop once a second (the receiver-report tick) and when the track
   * ends. The loop counts each packet in plain fields of its layer, which the scrape thread
   * cannot read safely; publishing them here costs a few LongAdder additions per track and
   * second, where a per-packet atomic would cost every packet, and a scrape that hopped onto
   * every room's loop would queue behind the media it measures. /metrics lags by a second.
   */
  void publishCounts() {
    long packets = 0;
    long octets = 0;
    for (int i = 0, n = layers.size(); i < n; i++) {
      Layer l = layers.get(i);
      packets += l.packets + l.repaired;
      octets += l.octets;
    }
    if (packets != packetsPublished) {
      stats.received(kind, packets - packetsPublished, octets - octetsPublished);
      packetsPublished = packets;
      octetsPublished = octets;
    }
  }

  boolean closed() {
    return closed;
  }

  void close() {
    if (!closed) {
      publishCounts(); // the last packets; nothing is counted after this
    }
    closed = true;
    for (DownTrack d : new ArrayList<>(downTracks)) {
      d.producerClosed();
    }
    downTracks.clear();
  }
}
