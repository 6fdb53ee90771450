package dev.fanout.server.media;

import dev.fanout.rtp.rtcp.FullIntraRequest;
import dev.fanout.rtp.rtcp.GenericNack;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReceiverReport;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.rtp.rtcp.Rtcp;
import dev.fanout.rtp.rtcp.RtcpIterator;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.rtp.rtcp.TransportCc;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.NegotiatedSession;
import dev.fanout.sdp.SdpNegotiationException;
import dev.fanout.sdp.SdpParseException;
import dev.fanout.sdp.SdpParser;
import dev.fanout.sdp.SdpWriter;
import dev.fanout.sdp.SubscribeSession;
import dev.fanout.sdp.SubscribeTrack;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's subscribe connection (the server offers): its down tracks, the offer/answer state
 * machine, the RTCP the subscriber sends (keyframe requests, NACKs, receiver reports,
 * transport-cc feedback) and the sender reports it gets. Runs on the room's loop.
 */
final class Subscription implements WebRtcTransport.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Peer peer;
  private final EventLoop loop;
  private final MediaStats stats;
  private final WebRtcTransport transport;
  private final SubscribeSession session;
  private final Map<String, DownTrack> byTrack = new LinkedHashMap<>();
  private final IntObjectHashMap<DownTrack> bySsrc = new IntObjectHashMap<>();
  private final RtcpIterator rtcp = new RtcpIterator();
  private final long[] clock = new long[2];
  private final ScheduledFuture<?> reports;
  private long revision;
  private boolean offerOutstanding;
  private boolean offerNeeded;
  private boolean offerScheduled;
  private boolean closed;

  Subscription(MediaEngine engine, EventLoop loop, Peer peer, long sessionId) {
    this.peer = peer;
    this.loop = loop;
    this.stats = engine.stats();
    this.transport = new WebRtcTransport(engine, loop, peer.label() + "/subscribe", this);
    this.session = new SubscribeSession(engine.localTransport(transport.iceUfrag(), transport.icePassword()),
        engine.capabilities(), sessionId);
    this.reports = loop.scheduleAtFixedRate(this::sendReports, 1, 1, TimeUnit.SECONDS);
  }

  WebRtcTransport transport() {
    return transport;
  }

  /** Track ids subscribed to, in subscription order. */
  List<String> trackIds() {
    return List.copyOf(byTrack.keySet());
  }

  DownTrack downTrack(String trackId) {
    return byTrack.get(trackId);
  }

  /** Adds a section for {@code producer} (once per track); returns its mid. */
  String add(Producer producer) {
    DownTrack existing = byTrack.get(producer.trackId());
    if (existing != null) {
      return existing.mid();
    }
    int ssrc = randomSsrc();
    int rtxSsrc = producer.kind() == MediaKind.VIDEO ? randomSsrc() : 0;
    SubscribeTrack track = new SubscribeTrack(producer.kind(), producer.publisher(), producer.trackId(),
        "fanout-" + producer.publisher(), ssrc & 0xffffffffL, rtxSsrc == 0 ? -1 : rtxSsrc & 0xffffffffL,
        producer.media().codecs());
    String mid = session.addTrack(track);
    DownTrack d = new DownTrack(producer, transport, mid, ssrc, rtxSsrc, stats);
    byTrack.put(producer.trackId(), d);
    bySsrc.put(ssrc, d);
    producer.addDownTrack(d);
    scheduleOffer();
    return mid;
  }

  /** Removes a track's section (also when its producer ended); false if there was none. */
  boolean remove(String trackId) {
    DownTrack d = byTrack.remove(trackId);
    if (d == null) {
      return false;
    }
    bySsrc.values().remove(d);
    d.close();
    session.removeTrack(d.mid());
    scheduleOffer();
    return true;
  }

  private int randomSsrc() {
    int s;
    do {
      s = RANDOM.nextInt();
    } while (s == 0 || bySsrc.containsKey(s));
    return s;
  }

  /**
   * Sends a new offer after the current task (so a request's response goes before the offer it
   * causes), coalescing changes, and never while another offer awaits its answer.
   */
  private void scheduleOffer() {
    if (offerOutstanding) {
      offerNeeded = true;
      return;
    }
    if (offerScheduled) {
      return;
    }
    offerScheduled = true;
    loop.execute(() -> {
      offerScheduled = false;
      if (!closed) {
        sendOffer();
      }
    });
  }

  private void sendOffer() {
    String sdp = SdpWriter.write(session.buildSubscribeOffer());
    revision++;
    offerOutstanding = true;
    List<Router.OfferedTrack> tracks = new ArrayList<>();
    for (DownTrack d : byTrack.values()) {
      tracks.add(new Router.OfferedTrack(d.mid(), d.producer().trackId(), d.producer().publisher()));
    }
    peer.offer(new Router.SubscriberOffer(revision, sdp, tracks));
  }

  /** Applies the peer's answer to the outstanding offer. */
  void answer(long answeredRevision, String sdp) throws MediaException {
    if (!offerOutstanding || answeredRevision != revision) {
      throw new MediaException(MediaException.Reason.INVALID_STATE,
          "no subscriber offer with revision " + answeredRevision + " is waiting for an answer");
    }
    NegotiatedSession negotiated;
    try {
      negotiated = session.applySubscribeAnswer(SdpParser.parse(sdp));
    } catch (SdpParseException | SdpNegotiationException e) {
      throw new MediaException(MediaException.Reason.INVALID_SDP, "answer: " + e.getMessage());
    }
    offerOutstanding = false;
    if (negotiated.transport() != null) {
      try {
        transport.start(negotiated.transport());
      } catch (IllegalArgumentException e) {
        throw new MediaException(MediaException.Reason.INVALID_SDP, e.getMessage());
      }
    }
    for (DownTrack d : byTrack.values()) {
      negotiated.byMid(d.mid()).filter(NegotiatedMedia::accepted).ifPresent(d::negotiated);
    }
    if (offerNeeded) {
      offerNeeded = false;
      scheduleOffer();
    }
  }

  @Override
  public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
    // subscribers send no media
  }

  @Override
  public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
    long now = System.nanoTime();
    rtcp.reset(buf, off, len);
    try {
      while (rtcp.next()) {
        int type = rtcp.packetType();
        int count = rtcp.count();
        if (type == Rtcp.PSFB && (count == Rtcp.FMT_PLI || count == Rtcp.FMT_FIR)) {
          (count == Rtcp.FMT_PLI ? stats.plisFromSubscribers : stats.firsFromSubscribers).increment();
          int media = count == Rtcp.FMT_PLI
              ? PictureLossIndication.parse(buf, rtcp.offset(), rtcp.length()).mediaSsrc()
              : firTarget(FullIntraRequest.parse(buf, rtcp.offset(), rtcp.length()));
          DownTrack d = bySsrc.get(media);
          if (d != null) {
            d.producer().requestKeyframe(now);
          }
        } else if (type == Rtcp.RTPFB && count == Rtcp.FMT_NACK) {
          GenericNack nack = GenericNack.parse(buf, rtcp.offset(), rtcp.length());
          stats.nacksFromSubscribers.increment();
          DownTrack d = bySsrc.get(nack.mediaSsrc());
          if (d != null) {
            for (int seq : nack.lost()) {
              d.retransmit(seq, now);
            }
          }
        } else if (type == Rtcp.RR) {
          for (ReportBlock block : ReceiverReport.parse(buf, rtcp.offset(), rtcp.length()).reports()) {
            DownTrack d = bySsrc.get(block.ssrc());
            if (d != null) {
              d.onReceiverReport(block, now);
            }
          }
        } else if (type == Rtcp.RTPFB && count == Rtcp.FMT_TRANSPORT_CC) {
          transport.sendHistory().onFeedback(TransportCc.parse(buf, rtcp.offset(), rtcp.length()));
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: dropping malformed RTCP: {}", transport.label(), e.toString());
    }
  }

  private static int firTarget(FullIntraRequest fir) {
    return fir.entries().isEmpty() ? 0 : fir.entries().get(0).ssrc();
  }

  /** Once a second: a sender report per down track (RFC 3550 §6.4.1), and their packet counts to the metrics. */
  private void sendReports() {
    if (closed) {
      return;
    }
    for (DownTrack d : byTrack.values()) {
      d.publishCounts();
    }
    if (!transport.connected()) {
      return;
    }
    long now = System.nanoTime();
    try {
      for (DownTrack d : byTrack.values()) {
        SenderReport sr = d.senderReport(now, clock);
        if (sr != null) {
          RtcpCompound.send(transport, List.of(sr), transport.label());
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: reports failed: {}", transport.label(), e.toString());
    }
  }

  /** Down tracks start on a keyframe. */
  @Override
  public void onConnected(WebRtcTransport t) {
    for (DownTrack d : byTrack.values()) {
      d.producer().requestKeyframe(System.nanoTime());
    }
  }

  @Override
  public void onFailed(WebRtcTransport t, String reason) {
    peer.transportFailed(reason);
  }

  void close() {
    closed = true;
    reports.cancel(false);
    for (DownTrack d : byTrack.values()) {
      d.close();
    }
    byTrack.clear();
    bySsrc.clear();
    transport.close();
  }
}
