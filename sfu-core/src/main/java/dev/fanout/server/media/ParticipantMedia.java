package dev.fanout.server.media;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.rtp.RtpFormatException;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.feedback.NackGenerator;
import dev.fanout.rtp.feedback.RtxUnwrap;
import dev.fanout.rtp.feedback.TransportCcRecorder;
import dev.fanout.rtp.rtcp.FullIntraRequest;
import dev.fanout.rtp.rtcp.GenericNack;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReceiverReport;
import dev.fanout.rtp.rtcp.Remb;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.rtp.rtcp.Rtcp;
import dev.fanout.rtp.rtcp.RtcpIterator;
import dev.fanout.rtp.rtcp.RtcpPacket;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.rtp.rtcp.TransportCc;
import dev.fanout.server.room.Participant;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.NegotiatedSession;
import dev.fanout.sdp.Origin;
import dev.fanout.sdp.PublishAnswer;
import dev.fanout.sdp.PublishNegotiator;
import dev.fanout.sdp.RtpExtensionUris;
import dev.fanout.sdp.SdpNegotiationException;
import dev.fanout.sdp.SdpParseException;
import dev.fanout.sdp.SdpParser;
import dev.fanout.sdp.SdpWriter;
import dev.fanout.sdp.SessionDescription;
import dev.fanout.sdp.SsrcGroup;
import dev.fanout.sdp.SubscribeSession;
import dev.fanout.sdp.SubscribeTrack;
import dev.fanout.server.signaling.ErrorCode;
import dev.fanout.server.signaling.SignalingCodec;
import dev.fanout.server.signaling.SignalingException;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media of one participant: its publish and subscribe transports, the producers it
 * publishes, the consumers it subscribes through, the subscribe connection's offer/answer state
 * and the RTCP it exchanges. Everything runs on the room's loop.
 */
public final class ParticipantMedia implements WebRtcTransport.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ParticipantMedia.class);
  /** Sender SSRC of the server's own RTCP (feedback and receiver reports). */
  static final int SERVER_SSRC = 0x46414e4f; // "FANO"
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How often the publisher gets transport-cc feedback and NACKs (libwebrtc sends 50–250 ms). */
  static final long FEEDBACK_INTERVAL_MILLIS = 50;
  /**
   * REMB sent to a publisher that negotiated REMB but not transport-cc: a ceiling, not an
   * estimate, so the publisher's own loss-based control finds the rate below it.
   */
  static final long REMB_CEILING_BPS = 10_000_000L;

  /** What a participant's media tells the room. */
  public interface Owner {
    /** A transport failed (ICE consent, DTLS): the participant should be removed. */
    void transportFailed(ParticipantMedia media, String reason);
  }

  private final MediaEngine engine;
  private final Participant participant;
  private final EventLoop loop;
  private final Owner owner;
  private final String label;
  private final long sessionId = RANDOM.nextLong() & Long.MAX_VALUE;
  private long publishVersion;

  private WebRtcTransport publish;
  private WebRtcTransport subscribe;
  private final Map<String, Producer> producersByMid = new LinkedHashMap<>();
  /**
   * SSRC → layer of a producer. Keyed by primitive int: it is looked up for every received
   * packet.
   */
  private final IntObjectHashMap<Producer.Layer> layersBySsrc = new IntObjectHashMap<>();
  /** RTX SSRC → the layer it repairs (RFC 4588, SSRC-multiplexed). */
  private final IntObjectHashMap<Producer.Layer> rtxBySsrc = new IntObjectHashMap<>();
  private NegotiatedSession publishNegotiated;
  private int midExtensionId = -1;
  private int ridExtensionId = -1;
  private int repairedRidExtensionId = -1;
  /** Publisher feedback (see {@link #sendFeedback}). */
  private int transportSeqExtensionId = -1;
  private boolean transportCcFeedback;
  private boolean rembFeedback;
  private final TransportCcRecorder arrivals = new TransportCcRecorder();
  private final int[] nackScratch = new int[64];
  private int lastMediaSsrc;
  private ScheduledFuture<?> feedback;

  private SubscribeSession subscribeSession;
  private final Map<String, DownTrack> downTracksByTrack = new LinkedHashMap<>();
  private final IntObjectHashMap<DownTrack> downTracksBySsrc = new IntObjectHashMap<>();
  private int revision;
  private boolean offerOutstanding;
  private boolean offerNeeded;
  private boolean offerScheduled;

  private final RtpPacket view = new RtpPacket();
  private final RtcpIterator rtcp = new RtcpIterator();
  private final long[] clock = new long[2];
  private final ScheduledFuture<?> reports;
  private boolean closed;

  ParticipantMedia(MediaEngine engine, Participant participant, EventLoop loop, Owner owner, String roomName) {
    this.engine = engine;
    this.participant = participant;
    this.loop = loop;
    this.owner = owner;
    this.label = roomName + "/" + participant.identity();
    this.reports = loop.scheduleAtFixedRate(this::sendReports, 1, 1, TimeUnit.SECONDS);
  }

  public Participant participant() {
    return participant;
  }

  WebRtcTransport publishTransport() {
    return publish;
  }

  WebRtcTransport subscribeTransport() {
    return subscribe;
  }

  boolean subscribeConnected() {
    return subscribe != null && subscribe.connected();
  }

  public Map<String, Producer> producersByMid() {
    return producersByMid;
  }

  // ---- publishing -----------------------------------------------------------------------------

  /** One newly published section as the client described it. */
  public record TrackRequest(String mid, String kind, String trackId) {}

  /**
   * Answers a publish offer. Returns the answer SDP; creates a producer for each requested mid
   * and returns the producers of sections the new offer no longer sends (to be unpublished).
   */
  public PublishResult publish(String offerText, List<TrackRequest> requests) throws SignalingException {
    SessionDescription offer;
    try {
      offer = SdpParser.parse(offerText);
    } catch (SdpParseException e) {
      throw new SignalingException(ErrorCode.INVALID_SDP, "offer: " + e.getMessage());
    }
    if (publish == null) {
      publish = new WebRtcTransport(engine, loop, label + "/publish", this);
      feedback = loop.scheduleAtFixedRate(this::sendFeedback, FEEDBACK_INTERVAL_MILLIS, FEEDBACK_INTERVAL_MILLIS,
          TimeUnit.MILLISECONDS);
    }
    PublishAnswer answer;
    try {
      answer = PublishNegotiator.buildPublishAnswer(offer,
          engine.localTransport(publish.iceUfrag(), publish.icePassword()),
          engine.capabilities(), Origin.of(sessionId, ++publishVersion));
    } catch (SdpNegotiationException e) {
      throw new SignalingException(ErrorCode.INVALID_SDP, "offer: " + e.getMessage());
    }
    NegotiatedSession negotiated = answer.negotiated();
    for (TrackRequest r : requests) {
      NegotiatedMedia m = negotiated.byMid(r.mid()).orElse(null);
      if (m == null) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "no media section with mid '" + r.mid() + "' in the offer");
      }
      if (!m.accepted()) {
        throw new SignalingException(ErrorCode.INVALID_SDP,
            "media section '" + r.mid() + "' offers no codec this server supports");
      }
      if (m.kind() == null || !m.kind().sdpName().equals(r.kind())) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "media section '" + r.mid() + "' is not " + r.kind());
      }
      if (producersByMid.containsKey(r.mid())) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "media section '" + r.mid() + "' is already published");
      }
    }
    if (negotiated.transport() != null) {
      try {
        publish.start(negotiated.transport());
      } catch (IllegalArgumentException e) {
        throw new SignalingException(ErrorCode.INVALID_SDP, e.getMessage());
      }
    }
    publishNegotiated = negotiated;
    learnExtensionIds(negotiated);
    List<Producer> created = new ArrayList<>();
    for (TrackRequest r : requests) {
      NegotiatedMedia m = negotiated.byMid(r.mid()).orElseThrow();
      Producer p = new Producer(r.trackId(), this, m);
      producersByMid.put(r.mid(), p);
      registerDeclaredSsrcs(p, m);
      created.add(p);
    }
    List<Producer> ended = new ArrayList<>();
    for (Map.Entry<String, Producer> e : producersByMid.entrySet()) {
      NegotiatedMedia m = negotiated.byMid(e.getKey()).orElse(null);
      if (m == null || !m.accepted() || !m.direction().receives()) {
        ended.add(e.getValue());
      }
    }
    return new PublishResult(SdpWriter.write(answer.answer()), created, ended);
  }

  /** The answer and what changed. */
  public record PublishResult(String answer, List<Producer> created, List<Producer> ended) {}

  private void learnExtensionIds(NegotiatedSession negotiated) {
    transportCcFeedback = false;
    rembFeedback = false;
    for (NegotiatedMedia m : negotiated.accepted()) {
      OptionalInt tcc = m.extensionId(RtpExtensionUris.TRANSPORT_WIDE_CC);
      if (tcc.isPresent()) {
        transportSeqExtensionId = tcc.getAsInt();
      }
      for (var c : m.codecs()) {
        transportCcFeedback |= tcc.isPresent() && c.feedback().contains("transport-cc");
        rembFeedback |= c.feedback().contains("goog-remb");
      }
      OptionalInt mid = m.extensionId(RtpExtensionUris.MID);
      if (mid.isPresent()) {
        midExtensionId = mid.getAsInt();
      }
      OptionalInt rid = m.extensionId(RtpExtensionUris.RID);
      if (rid.isPresent()) {
        ridExtensionId = rid.getAsInt();
      }
      OptionalInt rrid = m.extensionId(RtpExtensionUris.REPAIRED_RID);
      if (rrid.isPresent()) {
        repairedRidExtensionId = rrid.getAsInt();
      }
    }
  }

  /** SSRCs the SDP declares: SIM layers in order, FID primaries as media and their pairs as RTX. */
  private void registerDeclaredSsrcs(Producer p, NegotiatedMedia m) {
    List<Long> rtx = new ArrayList<>();
    Map<Long, Long> rtxOf = new LinkedHashMap<>();
    List<Long> primaries = new ArrayList<>();
    for (SsrcGroup g : m.ssrcGroups()) {
      if (g.semantics().equals(SsrcGroup.FID) && g.ssrcs().size() == 2) {
        rtx.add(g.ssrcs().get(1));
        rtxOf.put(g.ssrcs().get(0), g.ssrcs().get(1));
      }
    }
    for (SsrcGroup g : m.ssrcGroups()) {
      if (g.semantics().equals(SsrcGroup.SIM)) {
        primaries.addAll(g.ssrcs());
      }
    }
    if (primaries.isEmpty()) {
      for (Long s : m.ssrcs()) {
        if (!rtx.contains(s) && !primaries.contains(s)) {
          primaries.add(s);
        }
      }
    }
    int rank = 0;
    for (Long s : primaries) {
      Producer.Layer l = p.addLayer(s.intValue(), m.rids().size() > rank ? m.rids().get(rank) : null);
      layersBySsrc.put(s.intValue(), l);
      Long repair = rtxOf.get(s);
      if (repair != null) {
        rtxBySsrc.put(repair.intValue(), l);
      }
      rank++;
    }
  }

  /** Ends a producer: forwarding stops and its SSRCs are forgotten. */
  public void unpublish(Producer p) {
    producersByMid.values().remove(p);
    layersBySsrc.values().removeIf(l -> l.producer == p);
    rtxBySsrc.values().removeIf(l -> l.producer == p);
    p.close();
  }

  // ---- subscribing ----------------------------------------------------------------------------

  /** Subscribes to a producer of another participant; returns the mid carrying it. */
  public String subscribe(Producer producer, String publisherIdentity) {
    DownTrack existing = downTracksByTrack.get(producer.trackId());
    if (existing != null) {
      return existing.mid();
    }
    if (subscribe == null) {
      subscribe = new WebRtcTransport(engine, loop, label + "/subscribe", this);
      subscribeSession = new SubscribeSession(
          engine.localTransport(subscribe.iceUfrag(), subscribe.icePassword()),
          engine.capabilities(), sessionId + 1);
    }
    int ssrc = randomSsrc();
    int rtxSsrc = producer.kind() == MediaKind.VIDEO ? randomSsrc() : 0;
    SubscribeTrack track = new SubscribeTrack(producer.kind(), publisherIdentity, producer.trackId(),
        "fanout-" + publisherIdentity, ssrc & 0xffffffffL, rtxSsrc == 0 ? -1 : rtxSsrc & 0xffffffffL,
        producer.media().codecs());
    String mid = subscribeSession.addTrack(track);
    DownTrack c = new DownTrack(producer, this, mid, ssrc, rtxSsrc);
    downTracksByTrack.put(producer.trackId(), c);
    downTracksBySsrc.put(ssrc, c);
    producer.addDownTrack(c);
    scheduleOffer();
    return mid;
  }

  /** Ends a subscription (also when the producer went away). Returns false if there was none. */
  public boolean unsubscribe(String trackId) {
    DownTrack c = downTracksByTrack.remove(trackId);
    if (c == null) {
      return false;
    }
    downTracksBySsrc.values().remove(c);
    c.close();
    subscribeSession.removeTrack(c.mid());
    scheduleOffer();
    return true;
  }

  private int randomSsrc() {
    int s;
    do {
      s = RANDOM.nextInt();
    } while (s == 0 || downTracksBySsrc.containsKey(s));
    return s;
  }

  /**
   * Sends a new subscribe offer after the current task (so a request's response goes before the
   * offer it causes), coalescing changes, and never while another offer awaits its answer.
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
    SessionDescription offer = subscribeSession.buildSubscribeOffer();
    revision++;
    offerOutstanding = true;
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.put("revision", revision);
    data.put("sdp", SdpWriter.write(offer));
    ArrayNode tracks = data.putArray("tracks");
    for (DownTrack c : downTracksByTrack.values()) {
      ObjectNode t = tracks.addObject();
      t.put("mid", c.mid());
      t.put("trackId", c.producer().trackId());
      t.put("identity", c.producer().owner().participant().identity());
    }
    participant.send(SignalingCodec.event("subscriber-offer", data));
  }

  /** Applies the client's answer to the outstanding subscribe offer. */
  public void subscriberAnswer(long answeredRevision, String sdp) throws SignalingException {
    if (!offerOutstanding || answeredRevision != revision) {
      throw new SignalingException(ErrorCode.INVALID_STATE,
          "no subscriber offer with revision " + answeredRevision + " is waiting for an answer");
    }
    NegotiatedSession negotiated;
    try {
      negotiated = subscribeSession.applySubscribeAnswer(SdpParser.parse(sdp));
    } catch (SdpParseException | SdpNegotiationException e) {
      throw new SignalingException(ErrorCode.INVALID_SDP, "answer: " + e.getMessage());
    }
    offerOutstanding = false;
    if (negotiated.transport() != null) {
      try {
        subscribe.start(negotiated.transport());
      } catch (IllegalArgumentException e) {
        throw new SignalingException(ErrorCode.INVALID_SDP, e.getMessage());
      }
    }
    for (DownTrack c : downTracksByTrack.values()) {
      negotiated.byMid(c.mid()).filter(NegotiatedMedia::accepted).ifPresent(c::negotiated);
    }
    if (offerNeeded) {
      offerNeeded = false;
      scheduleOffer();
    }
  }

  // ---- packets --------------------------------------------------------------------------------

  @Override
  public void onRtp(WebRtcTransport transport, byte[] buf, int off, int len) {
    if (transport != publish) {
      return; // subscribers send no media
    }
    try {
      view.wrap(buf, off, len);
    } catch (RtpFormatException e) {
      return;
    }
    long now = System.nanoTime();
    if (transportSeqExtensionId > 0) {
      // Every packet counts for the estimate, RTX and padding-only probes included.
      int at = view.extensionOffset(transportSeqExtensionId);
      if (at >= 0 && view.extensionLength(transportSeqExtensionId) == 2) {
        arrivals.onPacket((buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff), now);
      }
    }
    int ssrc = view.ssrc();
    lastMediaSsrc = ssrc;
    Producer.Layer layer = layersBySsrc.get(ssrc);
    if (layer != null) {
      layer.producer.onRtp(layer, view, now, false);
      sendNacks(layer, now);
      return;
    }
    layer = rtxBySsrc.get(ssrc);
    if (layer == null) {
      layer = learnSsrc(ssrc);
      if (layer == null) {
        return;
      }
      if (layersBySsrc.get(ssrc) == layer) {
        layer.producer.onRtp(layer, view, now, false);
        sendNacks(layer, now);
        return;
      }
    }
    var codec = layer.producer.media().codecForRtx(view.payloadType());
    // RFC 4588 §4; a padding-only probe repairs nothing.
    if (codec.isPresent() && RtxUnwrap.unwrap(view, layer.ssrc, codec.get().payloadType()) > 0) {
      layer.producer.onRtp(layer, view, now, true);
    }
  }

  /** Finds the producer of an unannounced SSRC by its MID, then RID extension (RFC 8852). */
  private Producer.Layer learnSsrc(int ssrc) {
    if (midExtensionId < 0 || publishNegotiated == null) {
      return null;
    }
    String mid = extensionText(midExtensionId);
    Producer p = mid == null ? null : producersByMid.get(mid);
    if (p == null) {
      return null;
    }
    if (layersBySsrc.size() + rtxBySsrc.size() > 64) {
      return null; // bound what a misbehaving publisher can make us remember
    }
    String repairs = repairedRidExtensionId > 0 ? extensionText(repairedRidExtensionId) : null;
    if (repairs != null || p.media().codecForRtx(view.payloadType()).isPresent()) {
      // RTX: it repairs the layer its repaired RID names, or the only layer without simulcast.
      int rank = repairs == null ? 0 : p.media().rids().indexOf(repairs);
      for (Producer.Layer l : p.layers()) {
        if (l.rank == rank && (repairs != null || !p.media().simulcast())) {
          rtxBySsrc.put(ssrc, l);
          return l;
        }
      }
      return null;
    }
    String rid = ridExtensionId > 0 ? extensionText(ridExtensionId) : null;
    if (p.media().simulcast() && rid == null) {
      return null;
    }
    Producer.Layer l = p.addLayer(ssrc, rid);
    layersBySsrc.put(ssrc, l);
    return l;
  }

  private String extensionText(int id) {
    int at = view.extensionOffset(id);
    if (at < 0) {
      return null;
    }
    int n = view.extensionLength(id);
    return n <= 0 || n > 64 ? null : new String(view.buffer(), at, n, StandardCharsets.US_ASCII);
  }

  @Override
  public void onRtcp(WebRtcTransport transport, byte[] buf, int off, int len) {
    long now = System.nanoTime();
    rtcp.reset(buf, off, len);
    try {
      while (rtcp.next()) {
        int type = rtcp.packetType();
        int count = rtcp.count();
        if (transport == publish && type == Rtcp.SR) {
          SenderReport sr = SenderReport.parse(buf, rtcp.offset(), rtcp.length());
          Producer.Layer l = layersBySsrc.get(sr.ssrc());
          if (l != null) {
            l.producer.onSenderReport(l, sr.ntpTimestamp(), sr.rtpTimestamp(), now);
          }
        } else if (transport == subscribe && type == Rtcp.PSFB && (count == Rtcp.FMT_PLI || count == Rtcp.FMT_FIR)) {
          int media = count == Rtcp.FMT_PLI
              ? PictureLossIndication.parse(buf, rtcp.offset(), rtcp.length()).mediaSsrc()
              : firTarget(FullIntraRequest.parse(buf, rtcp.offset(), rtcp.length()));
          DownTrack c = downTracksBySsrc.get(media);
          if (c != null) {
            c.producer().requestKeyframe(now);
          }
        } else if (transport == subscribe && type == Rtcp.RTPFB && count == Rtcp.FMT_NACK) {
          GenericNack nack = GenericNack.parse(buf, rtcp.offset(), rtcp.length());
          DownTrack c = downTracksBySsrc.get(nack.mediaSsrc());
          if (c != null) {
            for (int seq : nack.lost()) {
              c.retransmit(seq, now);
            }
          }
        } else if (transport == subscribe && type == Rtcp.RR) {
          for (ReportBlock block : ReceiverReport.parse(buf, rtcp.offset(), rtcp.length()).reports()) {
            DownTrack c = downTracksBySsrc.get(block.ssrc());
            if (c != null) {
              c.onReceiverReport(block.fractionLost());
            }
          }
        } else if (transport == subscribe && type == Rtcp.RTPFB && count == Rtcp.FMT_TRANSPORT_CC) {
          subscribe.sendHistory().onFeedback(TransportCc.parse(buf, rtcp.offset(), rtcp.length()));
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: dropping malformed RTCP: {}", label, e.toString());
    }
  }

  private static int firTarget(FullIntraRequest fir) {
    return fir.entries().isEmpty() ? 0 : fir.entries().get(0).ssrc();
  }

  /**
   * Every {@link #FEEDBACK_INTERVAL_MILLIS}: transport-cc feedback for every packet that arrived
   * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), so the publisher's send-side
   * estimator sees this link, and a NACK per video layer for the packets it is missing
   * (RFC 4585 §6.2.1). Sent as reduced-size RTCP (RFC 5506).
   */
  private void sendFeedback() {
    if (closed || publish == null || !publish.connected()) {
      return;
    }
    long now = System.nanoTime();
    byte[] a = publish.sendBuffer();
    try {
      while (arrivals.hasPendingFeedback()) {
        int n = arrivals.write(a, 0, 1200, SERVER_SSRC, lastMediaSsrc);
        if (n == 0) {
          break;
        }
        publish.sendRtcp(a, 0, n);
      }
      for (Producer p : producersByMid.values()) {
        for (Producer.Layer l : p.layers()) {
          sendNacks(l, now);
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: feedback failed: {}", label, e.toString());
    }
  }

  /**
   * NACKs what {@code layer} misses and is due now. Called from the feedback timer and after
   * each received packet, so a loss is asked for once the reorder allowance has passed, not at
   * the next timer tick: every 50 ms saved is 50 ms less a subscriber's picture may stall.
   */
  private void sendNacks(Producer.Layer layer, long now) {
    if (layer.nacks == null) {
      return;
    }
    long unrecoverable = layer.nacks.givenUp() + layer.nacks.dropped();
    if (unrecoverable != layer.unrecoverable) {
      // Packets of the forwarded layer that will never come: every subscriber's picture breaks
      // there and each would ask for a keyframe after its own NACKs ran out; ask once, now.
      layer.unrecoverable = unrecoverable;
      if (layer == layer.producer.target()) {
        layer.producer.requestKeyframe(now);
      }
    }
    if (layer.nacks.nextDueNanos() > now || publish == null || !publish.connected()) {
      return;
    }
    int count = layer.nacks.collect(now, 0, nackScratch);
    if (count > 0) {
      byte[] a = publish.sendBuffer();
      publish.sendRtcp(a, 0, GenericNack.writeTo(a, 0, SERVER_SSRC, layer.ssrc, nackScratch, count));
    }
  }

  /** Sends feedback to this participant's publish connection, after an RR (RFC 3550 §6.1). */
  void sendToPublisher(RtcpPacket feedback) {
    if (publish == null || !publish.connected()) {
      return;
    }
    send(publish, List.of(new ReceiverReport(SERVER_SSRC, List.of()), feedback));
  }

  private void send(WebRtcTransport t, List<RtcpPacket> compound) {
    byte[] a = t.sendBuffer();
    int size = 0;
    for (RtcpPacket p : compound) {
      size += p.size();
    }
    if (size > a.length) {
      LOG.debug("{}: dropping {} bytes of RTCP", label, size);
      return;
    }
    int at = 0;
    for (RtcpPacket p : compound) {
      at += p.write(a, at);
    }
    t.sendRtcp(a, 0, at);
  }

  /** Once a second: RR to the publisher, an SR per consumer to the subscriber. */
  private void sendReports() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    try {
      if (publish != null && publish.connected() && !producersByMid.isEmpty()) {
        List<ReportBlock> blocks = new ArrayList<>();
        for (Producer p : producersByMid.values()) {
          blocks.addAll(p.reportBlocks(now));
        }
        if (blocks.size() > 31) {
          blocks = blocks.subList(0, 31);
        }
        if (rembFeedback && !transportCcFeedback) {
          send(publish, List.of(new ReceiverReport(SERVER_SSRC, blocks), Remb.of(SERVER_SSRC, REMB_CEILING_BPS, videoSsrcs())));
        } else {
          send(publish, List.of(new ReceiverReport(SERVER_SSRC, blocks)));
        }
      }
      if (subscribeConnected()) {
        for (DownTrack c : downTracksByTrack.values()) {
          SenderReport sr = c.senderReport(now, clock);
          if (sr != null) {
            send(subscribe, List.of(sr));
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: reports failed: {}", label, e.toString());
    }
  }

  private List<Integer> videoSsrcs() {
    List<Integer> out = new ArrayList<>();
    for (Producer p : producersByMid.values()) {
      if (p.kind() == MediaKind.VIDEO) {
        for (Producer.Layer l : p.layers()) {
          out.add(l.ssrc);
        }
      }
    }
    return out;
  }

  @Override
  public void onConnected(WebRtcTransport transport) {
    if (transport == subscribe) {
      // Consumers start on a keyframe.
      for (DownTrack c : downTracksByTrack.values()) {
        c.producer().requestKeyframe(System.nanoTime());
      }
    }
  }

  @Override
  public void onFailed(WebRtcTransport transport, String reason) {
    if (!closed) {
      owner.transportFailed(this, reason);
    }
  }

  /** Releases everything: transports, producers, consumers, the report timer. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    reports.cancel(false);
    if (feedback != null) {
      feedback.cancel(false);
    }
    for (DownTrack c : downTracksByTrack.values()) {
      c.close();
    }
    downTracksByTrack.clear();
    downTracksBySsrc.clear();
    for (Producer p : new ArrayList<>(producersByMid.values())) {
      p.close();
    }
    producersByMid.clear();
    if (publish != null) {
      publish.close();
    }
    if (subscribe != null) {
      subscribe.close();
    }
  }
}
