package dev.fanout.server.media;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpSequenceTracker;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedCodec;
import dev.fanout.sdp.NegotiatedMedia;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One published track: the RTP streams a publisher sends for it (one, or one per simulcast
 * layer), its retransmission cache, and the consumers it feeds. Lives on the room's loop.
 *
 * <p>Simulcast: until layer selection arrives, the producer forwards the highest layer it has
 * seen, taking the order of {@code a=simulcast} (lowest first, as browsers send them).
 */
public final class Producer {
  /** At most one keyframe request per producer in this window (issue: 500 ms). */
  static final long KEYFRAME_REQUEST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final String trackId;
  private final ParticipantMedia owner;
  private final NegotiatedMedia media;
  private final MediaKind kind;
  private final List<Consumer> consumers = new ArrayList<>();
  private final RetransmissionCache cache;
  private final List<Layer> layers = new ArrayList<>();
  private Layer selected;
  private long lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
  private boolean keyframeWanted;
  private boolean closed;

  /** One RTP stream of the producer (one simulcast layer). */
  static final class Layer {
    final Producer producer;
    final int ssrc;
    final int rank;
    final RtpSequenceTracker sequence = new RtpSequenceTracker();
    long lastSrNtp;
    long lastSrRtp;
    long lastSrArrivalNanos;
    long lastSrCompact;
    long packets;

    Layer(Producer producer, int ssrc, int rank) {
      this.producer = producer;
      this.ssrc = ssrc;
      this.rank = rank;
    }
  }

  Producer(String trackId, ParticipantMedia owner, NegotiatedMedia media) {
    this.trackId = trackId;
    this.owner = owner;
    this.media = media;
    this.kind = media.kind();
    // ≥ 2 s of 4 Mbit/s video at 1200 bytes per packet; audio is not retransmitted.
    this.cache = kind == MediaKind.VIDEO ? new RetransmissionCache(1024, TimeUnit.SECONDS.toNanos(2)) : null;
  }

  public String trackId() {
    return trackId;
  }

  public MediaKind kind() {
    return kind;
  }

  public NegotiatedMedia media() {
    return media;
  }

  ParticipantMedia owner() {
    return owner;
  }

  /** The codec of a payload type of the publisher's negotiation, or null. */
  NegotiatedCodec codec(int payloadType) {
    return media.codec(payloadType).orElse(null);
  }

  /** Clock rate of the track's first codec (all codecs of one kind share it in WebRTC). */
  int clockRate() {
    return media.codecs().isEmpty() ? 90000 : media.codecs().get(0).clockRate();
  }

  /** Registers an SSRC as a layer; {@code rid} is null without simulcast. */
  Layer addLayer(int ssrc, String rid) {
    int rank = rid == null ? 0 : Math.max(0, media.rids().indexOf(rid));
    Layer l = new Layer(this, ssrc, rank);
    layers.add(l);
    return l;
  }

  void addConsumer(Consumer c) {
    consumers.add(c);
    requestKeyframe(System.nanoTime());
  }

  void removeConsumer(Consumer c) {
    consumers.remove(c);
  }

  /** A decrypted RTP packet of one of this producer's layers; {@code view} wraps it. */
  void onRtp(Layer layer, RtpPacket view, long nowNanos) {
    if (closed) {
      return;
    }
    layer.packets++;
    layer.sequence.update(view.sequenceNumber());
    if (selected != layer) {
      if (selected != null && layer.rank <= selected.rank) {
        return;
      }
      // A higher layer appeared: switch to it from its next keyframe.
      selected = layer;
      for (Consumer c : consumers) {
        c.switchSource();
      }
      requestKeyframe(nowNanos);
    }
    if (cache != null) {
      cache.store(view.sequenceNumber(), view.buffer(), view.offset(), view.length(), nowNanos);
    }
    for (int i = 0, n = consumers.size(); i < n; i++) {
      consumers.get(i).forward(view, nowNanos);
    }
    if (keyframeWanted) {
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
   * Asks the publisher for a keyframe (PLI, RFC 4585 §6.3.1), at most once per 500 ms; a request
   * inside the window is remembered and sent when it ends.
   */
  void requestKeyframe(long nowNanos) {
    if (kind != MediaKind.VIDEO || closed) {
      return;
    }
    if (nowNanos - lastKeyframeRequestNanos < KEYFRAME_REQUEST_INTERVAL_NANOS) {
      keyframeWanted = true;
      return;
    }
    Layer target = selected;
    if (target == null && !layers.isEmpty()) {
      target = layers.get(layers.size() - 1);
    }
    if (target == null) {
      keyframeWanted = true;
      return;
    }
    keyframeWanted = false;
    lastKeyframeRequestNanos = nowNanos;
    owner.sendToPublisher(new PictureLossIndication(ParticipantMedia.SERVER_SSRC, target.ssrc));
  }

  /** The timestamp the selected layer has at {@code nowNanos}, extrapolated from its last SR. */
  boolean senderClock(long nowNanos, long[] ntpAndRtp) {
    Layer l = selected;
    if (l == null || l.lastSrArrivalNanos == 0) {
      return false;
    }
    long elapsed = nowNanos - l.lastSrArrivalNanos;
    ntpAndRtp[0] = l.lastSrNtp + (long) (elapsed / 1e9 * (1L << 32));
    ntpAndRtp[1] = (l.lastSrRtp + elapsed * clockRate() / 1_000_000_000L) & 0xffffffffL;
    return true;
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

  /** Copies cached packet {@code seq} to the start of {@code out}; its length, or -1 if it is gone. */
  int copyCached(int seq, byte[] out, long nowNanos) {
    return cache == null ? -1 : cache.copyTo(seq, out, 0, nowNanos);
  }

  void close() {
    closed = true;
    for (Consumer c : new ArrayList<>(consumers)) {
      c.producerClosed();
    }
    consumers.clear();
  }
}
