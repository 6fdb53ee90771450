package dev.fanout.server.media;

import dev.fanout.rtp.rtcp.Rtcp;
import dev.fanout.rtp.rtcp.RtcpIterator;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.NegotiatedSession;
import dev.fanout.sdp.Origin;
import dev.fanout.sdp.PublishAnswer;
import dev.fanout.sdp.PublishNegotiator;
import dev.fanout.sdp.SdpNegotiationException;
import dev.fanout.sdp.SdpParseException;
import dev.fanout.sdp.SdpParser;
import dev.fanout.sdp.SdpWriter;
import dev.fanout.sdp.SessionDescription;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's publish connection (the client offers): negotiation, the producers of its sections,
 * its ingress ({@link PublishDemux}) and its feedback ({@link PublisherFeedback}). Runs on the
 * room's loop.
 */
final class Publication implements WebRtcTransport.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Publication.class);

  /** The answer, the producers created and those whose sections the new offer no longer sends. */
  record Result(String answer, List<Producer> created, List<Producer> ended) {}

  private final MediaEngine engine;
  private final Peer peer;
  private final long sessionId;
  private final WebRtcTransport transport;
  private final Map<String, Producer> producersByMid = new LinkedHashMap<>();
  private final PublisherFeedback feedback;
  private final PublishDemux demux;
  private final RtcpIterator rtcp = new RtcpIterator();
  private long version;

  Publication(MediaEngine engine, EventLoop loop, Peer peer, long sessionId) {
    this.engine = engine;
    this.peer = peer;
    this.sessionId = sessionId;
    this.transport = new WebRtcTransport(engine, loop, peer.label() + "/publish", this);
    this.feedback = new PublisherFeedback(transport, producersByMid.values(), loop, transport.label(),
        engine.stats());
    this.demux = new PublishDemux(producersByMid, feedback, engine.stats());
  }

  WebRtcTransport transport() {
    return transport;
  }

  Collection<Producer> producers() {
    return Collections.unmodifiableCollection(producersByMid.values());
  }

  /**
   * Answers a publish offer: creates a producer for each requested mid and returns those of
   * sections the new offer no longer sends (the caller ends them). Nothing changes when it throws.
   */
  Result publish(String offerText, List<Router.TrackRequest> requests, Supplier<String> newTrackId)
      throws MediaException {
    SessionDescription offer;
    try {
      offer = SdpParser.parse(offerText);
    } catch (SdpParseException e) {
      throw new MediaException(MediaException.Reason.INVALID_SDP, "offer: " + e.getMessage());
    }
    PublishAnswer answer;
    try {
      answer = PublishNegotiator.buildPublishAnswer(offer,
          engine.localTransport(transport.iceUfrag(), transport.icePassword()),
          engine.capabilities(), Origin.of(sessionId, ++version));
    } catch (SdpNegotiationException e) {
      throw new MediaException(MediaException.Reason.INVALID_SDP, "offer: " + e.getMessage());
    }
    NegotiatedSession negotiated = answer.negotiated();
    for (Router.TrackRequest r : requests) {
      NegotiatedMedia m = negotiated.byMid(r.mid()).orElse(null);
      if (m == null) {
        throw new MediaException(MediaException.Reason.INVALID_PARAMS,
            "no media section with mid '" + r.mid() + "' in the offer");
      }
      if (!m.accepted()) {
        throw new MediaException(MediaException.Reason.INVALID_SDP,
            "media section '" + r.mid() + "' offers no codec this server supports");
      }
      if (m.kind() == null || !m.kind().sdpName().equals(r.kind())) {
        throw new MediaException(MediaException.Reason.INVALID_PARAMS,
            "media section '" + r.mid() + "' is not " + r.kind());
      }
      if (producersByMid.containsKey(r.mid())) {
        throw new MediaException(MediaException.Reason.INVALID_PARAMS,
            "media section '" + r.mid() + "' is already published");
      }
    }
    if (negotiated.transport() != null) {
      try {
        transport.start(negotiated.transport());
      } catch (IllegalArgumentException e) {
        throw new MediaException(MediaException.Reason.INVALID_SDP, e.getMessage());
      }
    }
    feedback.negotiated(negotiated);
    demux.negotiated(negotiated);
    List<Producer> created = new ArrayList<>();
    for (Router.TrackRequest r : requests) {
      NegotiatedMedia m = negotiated.byMid(r.mid()).orElseThrow();
      Producer p = new Producer(newTrackId.get(), peer.identity(), r.source(), r.muted(), m, feedback,
          engine.stats());
      producersByMid.put(r.mid(), p);
      demux.declare(p, m);
      created.add(p);
    }
    List<Producer> ended = new ArrayList<>();
    for (Map.Entry<String, Producer> e : producersByMid.entrySet()) {
      NegotiatedMedia m = negotiated.byMid(e.getKey()).orElse(null);
      if (m == null || !m.accepted() || !m.direction().receives()) {
        ended.add(e.getValue());
      }
    }
    return new Result(SdpWriter.write(answer.answer()), created, ended);
  }

  /** Ends a producer: forwarding stops and its SSRCs are forgotten. */
  void end(Producer p) {
    producersByMid.values().remove(p);
    demux.forget(p);
    p.close();
  }

  @Override
  public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
    demux.onRtp(buf, off, len);
  }

  /** Sender reports give each layer its clock (for the SRs sent to subscribers); the rest is ignored. */
  @Override
  public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
    long now = System.nanoTime();
    rtcp.reset(buf, off, len);
    try {
      while (rtcp.next()) {
        if (rtcp.packetType() == Rtcp.SR) {
          SenderReport sr = SenderReport.parse(buf, rtcp.offset(), rtcp.length());
          Producer.Layer l = demux.layer(sr.ssrc());
          if (l != null) {
            l.producer.onSenderReport(l, sr.ntpTimestamp(), sr.rtpTimestamp(), now);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: dropping malformed RTCP: {}", transport.label(), e.toString());
    }
  }

  @Override
  public void onConnected(WebRtcTransport t) {}

  @Override
  public void onFailed(WebRtcTransport t, String reason) {
    peer.transportFailed(reason);
  }

  void close() {
    feedback.close();
    for (Producer p : new ArrayList<>(producersByMid.values())) {
      p.close();
    }
    producersByMid.clear();
    transport.close();
  }
}
