package dev.fanout.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.client.SignalingClient.SignalingError;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.rtcp.FullIntraRequest;
import dev.fanout.rtp.rtcp.GenericNack;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReceiverReport;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.rtp.rtcp.RtcpPacket;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.SdpParseException;
import dev.fanout.sdp.SessionDescription;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A headless Fanout participant on the project's own ICE, DTLS, SRTP and SDP code: joins a room
 * over the {@code /rtc} signaling protocol (docs/protocol.md), publishes {@link LocalTrack}s on
 * its publish connection, subscribes to others' tracks on its subscribe connection (answering the
 * server's offers by itself) and hands every received RTP packet to a {@link RtpHandler}.
 *
 * <pre>{@code
 * try (ClientContext ctx = ClientContext.create();
 *      FanoutClient c = FanoutClient.connect(URI.create("ws://127.0.0.1:8080/rtc"), ctx)) {
 *   c.join(token);
 *   LocalTrack cam = LocalTrack.video("camera");
 *   c.publish(cam);
 *   cam.sendVideoFrame(true, 3000, 0, null);
 * }
 * }</pre>
 *
 * <p>Methods that talk to the server block up to {@link ClientContext#timeout()} and throw
 * {@link SignalingError} with the server's error code. Handlers run on the transport's event loop
 * and must not block.
 */
public final class FanoutClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FanoutClient.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Receives the subscribed tracks' packets on the subscribe connection's loop. */
  @FunctionalInterface
  public interface RtpHandler {
    /** {@code packet} is valid only during the call; copy what you keep. */
    void onRtp(RemoteTrack track, RtpPacket packet);
  }

  /** Receives decrypted compound RTCP; valid only during the call. */
  @FunctionalInterface
  public interface RtcpHandler {
    void onRtcp(byte[] buf, int off, int len);
  }

  private final ClientContext context;
  private final SignalingClient signaling;
  private final Duration timeout;
  private final String label;
  private final String cname = UUID.randomUUID().toString().substring(0, 16);
  private final String streamId = UUID.randomUUID().toString();
  private final long sessionId = RANDOM.nextLong() & Long.MAX_VALUE;
  private final int rtcpSsrc = RANDOM.nextInt() | 1;

  private volatile BiConsumer<String, JsonNode> events = (name, data) -> {};
  private volatile RtpHandler rtpHandler = (track, packet) -> {};
  private volatile RtcpHandler publishRtcpHandler = (buf, off, len) -> {};
  private volatile RtcpHandler subscribeRtcpHandler = (buf, off, len) -> {};
  private volatile String identity;
  private volatile boolean acceptRtx = true;
  private volatile InetSocketAddress mediaVia;

  // Publish side, guarded by this.
  private ClientTransport publishTransport;
  private final List<LocalTrack> publishTracks = new ArrayList<>();
  private int nextMid;
  private long publishVersion;
  /** By SSRC, read on the publish loop for keyframe requests. */
  private volatile LocalTrack[] publishedSnapshot = new LocalTrack[0];

  // Subscribe side. The transport exists from the start so its credentials are fixed.
  private final ClientTransport subscribeTransport;
  private final Map<String, CompletableFuture<RemoteTrack>> sectionAnswered = new ConcurrentHashMap<>();
  private final Map<String, RemoteTrack> remoteByMid = new HashMap<>();
  private volatile RemoteTrack[] remoteSnapshot = new RemoteTrack[0];
  private long subscribeVersion;
  private final RtpPacket view = new RtpPacket();
  private volatile boolean reportReception;
  /** By the SSRC of a subscribed track; subscribe loop only. */
  private final Map<Integer, ReceptionStats> receptions = new HashMap<>();
  private ScheduledFuture<?> receptionReports; // guarded by this

  private FanoutClient(ClientContext context, SignalingClient signaling, String label) {
    this.context = context;
    this.signaling = signaling;
    this.timeout = context.timeout();
    this.label = label;
    this.subscribeTransport = new ClientTransport(context, label + "/subscribe", new SubscribeSide());
    signaling.onEvent(this::onEvent);
  }

  /** Opens the signaling WebSocket, e.g. {@code ws://127.0.0.1:8080/rtc}. */
  public static FanoutClient connect(URI rtcUrl, ClientContext context) throws Exception {
    SignalingClient s = SignalingClient.connect(rtcUrl, context.timeout());
    s.keepAlive(Duration.ofSeconds(10));
    return new FanoutClient(context, s, "client-" + Integer.toHexString(RANDOM.nextInt()));
  }

  /** Receives every server event as (name, data), {@code subscriber-offer} included. */
  public void onEvent(BiConsumer<String, JsonNode> listener) {
    this.events = listener;
  }

  /**
   * Whether subscribe answers accept RTX (RFC 4588; the default). Without it the server answers
   * NACKs with plain retransmissions. Applies to the next offer.
   */
  public void acceptRtx(boolean accept) {
    this.acceptRtx = accept;
  }

  /**
   * Sends this client's media to {@code relay} instead of the server's candidate, as if the
   * server were there: for a test that puts a network emulator (a UDP relay that forwards to the
   * server's media port) in between. Applies to connections that start afterwards, so call it
   * before {@link #join}; null goes straight to the server again.
   */
  public void sendMediaVia(InetSocketAddress relay) {
    if (relay != null && (relay.isUnresolved() || relay.getPort() == 0)) {
      throw new IllegalArgumentException("the relay must be a resolved address with a port, got " + relay);
    }
    this.mediaVia = relay;
  }

  /** Where media for the server's candidate {@code candidate} goes. */
  private InetSocketAddress mediaTarget(InetSocketAddress candidate) {
    InetSocketAddress via = mediaVia;
    return via == null ? candidate : via;
  }

  /** Receives the RTP of every subscribed track. */
  public void onRtp(RtpHandler handler) {
    this.rtpHandler = handler;
  }

  /** Receives what the server sends on the publish connection (PLI, FIR, RR). */
  public void onPublishRtcp(RtcpHandler handler) {
    this.publishRtcpHandler = handler;
  }

  /** Receives what the server sends on the subscribe connection (SR). */
  public void onSubscribeRtcp(RtcpHandler handler) {
    this.subscribeRtcpHandler = handler;
  }

  public SignalingClient signaling() {
    return signaling;
  }

  /** Our identity after {@link #join}. */
  public String identity() {
    return identity;
  }

  /** Joins with an access token; returns the {@code join} result (docs/protocol.md). */
  public JsonNode join(String token) throws Exception {
    JsonNode r = signaling.call("join", params("token", token), timeout);
    identity = r.path("identity").asText();
    return r;
  }

  /**
   * Sends a data message to the named participants, or to everyone else in the room when none are
   * named ({@code send-data}, docs/protocol.md); they get a {@code data} event.
   *
   * @return how many participants it was sent to
   */
  public int sendData(byte[] payload, String... to) throws Exception {
    ObjectNode p = params("payload", Base64.getEncoder().encodeToString(payload));
    if (to.length > 0) {
      ArrayNode list = p.putArray("to");
      for (String id : to) {
        list.add(id);
      }
    }
    return signaling.call("send-data", p, timeout).path("recipients").asInt();
  }

  /**
   * Publishes tracks: new ones get new media sections, a track published before and unpublished
   * since is published again in its old section (under a new track id). Returns once the server
   * answered and the publish connection is connected.
   */
  public synchronized List<LocalTrack> publish(LocalTrack... tracks) throws Exception {
    ArrayNode described = SignalingClient.JSON.createArrayNode();
    for (LocalTrack t : tracks) {
      if (t.isPublished()) {
        throw new IllegalStateException(t + " is published already");
      }
    }
    Set<LocalTrack> live = stage(tracks);
    for (LocalTrack t : tracks) {
      ObjectNode d = described.addObject();
      d.put("mid", t.mid());
      d.put("kind", t.kind().sdpName());
      d.put("source", t.source());
    }
    JsonNode r = negotiatePublish(live, described);
    SessionDescription answer = ClientSdp.parse(r.path("answer").asText());
    for (JsonNode d : r.path("tracks")) {
      for (LocalTrack t : tracks) {
        if (t.mid().equals(d.path("mid").asText())) {
          String codec = t.kind() == MediaKind.VIDEO ? "VP8" : "opus";
          int pt = ClientSdp.acceptedPayloadType(answer, t.mid(), codec);
          if (pt < 0) {
            throw new SdpParseException(0, "the server's answer did not accept " + codec + " for mid " + t.mid());
          }
          t.published(d.path("trackId").asText(), pt, publishTransport);
        }
      }
    }
    refreshPublishedSnapshot();
    await(publishTransport.connected(), "publish connection");
    return List.of(tracks);
  }

  /**
   * The publish offer the next {@link #publish} of {@code tracks} would send, without sending it:
   * new tracks get their media sections (as a browser's {@code addTransceiver} then
   * {@code createOffer}). For tools and for tests of the server's checks.
   */
  public synchronized String createPublishOffer(LocalTrack... tracks) {
    Set<LocalTrack> live = stage(tracks);
    return ClientSdp.publishOffer(sessionId, publishVersion + 1, publishTransport,
        context.dtls().certificate().fingerprint(), cname, streamId, publishTracks, live);
  }

  /**
   * Gives new tracks their media sections and returns the tracks the next offer sends: those
   * published now plus {@code tracks}.
   */
  private Set<LocalTrack> stage(LocalTrack... tracks) {
    if (publishTransport == null) {
      publishTransport = new ClientTransport(context, label + "/publish", new PublishSide());
    }
    Set<LocalTrack> live = new LinkedHashSet<>();
    for (LocalTrack t : publishTracks) {
      if (t.isPublished()) {
        live.add(t);
      }
    }
    for (LocalTrack t : tracks) {
      if (t.mid() == null) {
        t.assignMid(Integer.toString(nextMid++));
        publishTracks.add(t);
      }
      live.add(t);
    }
    return live;
  }

  /** Ends tracks (server first, then a renegotiation that makes their sections inactive). */
  public synchronized void unpublish(LocalTrack... tracks) throws Exception {
    ArrayNode ids = SignalingClient.JSON.createArrayNode();
    for (LocalTrack t : tracks) {
      if (!t.isPublished()) {
        throw new IllegalStateException(t + " is not published");
      }
      ids.add(t.trackId());
    }
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.set("trackIds", ids);
    signaling.call("unpublish", p, timeout);
    for (LocalTrack t : tracks) {
      t.unpublished();
    }
    refreshPublishedSnapshot();
    negotiatePublish(stage(), SignalingClient.JSON.createArrayNode());
  }

  private JsonNode negotiatePublish(Set<LocalTrack> live, ArrayNode described) throws Exception {
    String offer = ClientSdp.publishOffer(sessionId, ++publishVersion, publishTransport,
        context.dtls().certificate().fingerprint(), cname, streamId, publishTracks, live);
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put("offer", offer);
    p.set("tracks", described);
    JsonNode r = signaling.call("publish", p, timeout);
    SessionDescription answer = ClientSdp.parse(r.path("answer").asText());
    ClientSdp.ServerTransport st = ClientSdp.serverTransport(answer);
    publishTransport.start(mediaTarget(st.candidate()), st.ufrag(), st.password(), st.fingerprints());
    return r;
  }

  private void refreshPublishedSnapshot() {
    List<LocalTrack> l = new ArrayList<>();
    for (LocalTrack t : publishTracks) {
      if (t.isPublished()) {
        l.add(t);
      }
    }
    publishedSnapshot = l.toArray(new LocalTrack[0]);
  }

  /**
   * Subscribes to another participant's track. Returns once the server's offer carrying it has
   * been answered and the subscribe connection is connected; its packets then reach the
   * {@link RtpHandler}, starting from a keyframe.
   */
  public RemoteTrack subscribe(String trackId) throws Exception {
    JsonNode r = signaling.call("subscribe", params("trackId", trackId), timeout);
    String mid = r.path("mid").asText();
    // A failed earlier answer for this mid must not fail this subscription: wait for the next.
    RemoteTrack t = await(sectionAnswered.compute(mid,
        (k, f) -> f == null || f.isCompletedExceptionally() ? new CompletableFuture<>() : f), "offer for mid " + mid);
    await(subscribeTransport.connected(), "subscribe connection");
    return t;
  }

  /** Stops a subscription; the server's next offer makes its section inactive. */
  public void unsubscribe(String trackId) throws Exception {
    signaling.call("unsubscribe", params("trackId", trackId), timeout);
  }

  /** The tracks the subscribe connection currently carries. */
  public List<RemoteTrack> subscriptions() {
    return List.of(remoteSnapshot);
  }

  /** Asks for retransmission of {@code seqs} of a subscribed track (RFC 4585 §6.2.1). */
  public boolean sendNack(RemoteTrack track, List<Integer> seqs) {
    return sendSubscribeRtcp(new GenericNack(rtcpSsrc, track.ssrc(), seqs));
  }

  /**
   * Sends a receiver report for a subscribed track whose only content is {@code fractionLost}
   * (RFC 3550 §6.4.1, /256): what a lossy link makes a real receiver report.
   */
  public boolean sendReceiverReport(RemoteTrack track, int fractionLost) {
    byte[] b = RtcpCompound.toByteArray(List.of(new ReceiverReport(rtcpSsrc,
        List.of(new ReportBlock(track.ssrc(), fractionLost, 0, 0, 0, 0, 0)))));
    return subscribeTransport.sendRtcp(b, 0, b.length);
  }

  /**
   * Whether the subscribe connection sends a receiver report once a second (RFC 3550 §6.4.2)
   * with a block for each subscribed track that received packets, as a browser does: its loss,
   * extended highest sequence number and interarrival jitter, and the LSR and DLSR of the
   * server's last sender report for it, from which the server computes the round trip. RTX
   * repairs are not counted as received (they are another stream). Off by default, so that what
   * {@link #sendReceiverReport} says is what the server hears.
   */
  public synchronized void reportReception(boolean on) {
    reportReception = on;
    if (on && receptionReports == null) {
      receptionReports = subscribeTransport.loop().scheduleAtFixedRate(this::sendReceptionReports, 1, 1,
          TimeUnit.SECONDS);
    } else if (!on && receptionReports != null) {
      receptionReports.cancel(false);
      receptionReports = null;
    }
  }

  /** A receiver report of every subscribed track that received something; on the subscribe loop. */
  private void sendReceptionReports() {
    try {
      long now = System.nanoTime();
      List<ReportBlock> blocks = new ArrayList<>();
      Set<Integer> live = new HashSet<>();
      for (RemoteTrack t : remoteSnapshot) {
        live.add(t.ssrc());
        ReceptionStats r = receptions.get(t.ssrc());
        ReportBlock b = r == null ? null : r.report(now);
        if (b != null) {
          blocks.add(b);
        }
      }
      receptions.keySet().retainAll(live);
      for (int i = 0; i < blocks.size(); i += 31) {
        byte[] b = RtcpCompound.toByteArray(List.of(new ReceiverReport(rtcpSsrc,
            blocks.subList(i, Math.min(blocks.size(), i + 31)))));
        subscribeTransport.sendRtcp(b, 0, b.length);
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: receiver report failed: {}", label, e.toString());
    }
  }

  private ReceptionStats reception(RemoteTrack t) {
    return receptions.computeIfAbsent(t.ssrc(), s -> new ReceptionStats(s, t.clockRate()));
  }

  /** Asks for a keyframe of a subscribed track (PLI, RFC 4585 §6.3.1). */
  public boolean requestKeyframe(RemoteTrack track) {
    return sendSubscribeRtcp(new PictureLossIndication(rtcpSsrc, track.ssrc()));
  }

  private boolean sendSubscribeRtcp(RtcpPacket feedback) {
    // RFC 3550 §6.1: a compound packet starts with a report.
    byte[] b = RtcpCompound.toByteArray(List.of(new ReceiverReport(rtcpSsrc, List.of()), feedback));
    return subscribeTransport.sendRtcp(b, 0, b.length);
  }

  /** The loop the publish connection runs on: send from here and nothing is copied. */
  public synchronized EventLoop publishLoop() {
    stage();
    return publishTransport.loop();
  }

  /** The publish connection, null before the first {@link #publish}. */
  public synchronized ClientTransport publishTransport() {
    return publishTransport;
  }

  public ClientTransport subscribeTransport() {
    return subscribeTransport;
  }

  /** Leaves the room; the connection then only answers {@code ping}. */
  public void leave() throws Exception {
    signaling.call("leave", null, timeout);
  }

  /** Closes both peer connections (DTLS close_notify) and the WebSocket. */
  @Override
  public void close() {
    ClientTransport p;
    synchronized (this) {
      p = publishTransport;
    }
    if (p != null) {
      p.close();
    }
    reportReception(false);
    subscribeTransport.close();
    signaling.close();
  }

  private void onEvent(String name, JsonNode data) {
    if (name.equals("subscriber-offer")) {
      try {
        onSubscriberOffer(data);
      } catch (Exception e) {
        if (signaling.isOpen()) {
          LOG.warn("{}: cannot answer subscriber-offer: {}", label, e.toString());
        } else {
          LOG.debug("{}: not answering a subscriber-offer while closing: {}", label, e.toString());
        }
      }
    }
    events.accept(name, data);
  }

  /**
   * Answers the server's offer for the subscribe connection. Runs on the WebSocket's thread, so
   * it must not wait for a response: the answer goes out as an asynchronous request.
   */
  private void onSubscriberOffer(JsonNode data) throws Exception {
    long revision = data.path("revision").asLong();
    SessionDescription offer = ClientSdp.parse(data.path("sdp").asText());
    ClientSdp.ServerTransport st = ClientSdp.serverTransport(offer);
    subscribeTransport.start(mediaTarget(st.candidate()), st.ufrag(), st.password(), st.fingerprints());
    String answer;
    List<RemoteTrack> carried = new ArrayList<>();
    synchronized (remoteByMid) {
      answer = ClientSdp.subscribeAnswer(offer, sessionId, ++subscribeVersion, subscribeTransport,
          context.dtls().certificate().fingerprint(), acceptRtx);
      remoteByMid.clear();
      for (JsonNode t : data.path("tracks")) {
        RemoteTrack rt = ClientSdp.remoteTrack(offer, t.path("mid").asText(), t.path("trackId").asText(),
            t.path("identity").asText(), acceptRtx);
        if (rt != null) {
          remoteByMid.put(rt.mid(), rt);
          carried.add(rt);
        }
      }
      remoteSnapshot = remoteByMid.values().toArray(new RemoteTrack[0]);
      // Sections no longer carried (unsubscribed, ended) forget their answers; a subscription
      // still waiting for its section keeps its future.
      sectionAnswered.entrySet().removeIf(en -> en.getValue().isDone() && !remoteByMid.containsKey(en.getKey()));
    }
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put("revision", revision);
    p.put("sdp", answer);
    signaling.request("subscriber-answer", p).whenComplete((r, e) -> {
      for (RemoteTrack rt : carried) {
        sectionAnswered.compute(rt.mid(), (k, f) -> {
          CompletableFuture<RemoteTrack> next = f == null || f.isDone() ? new CompletableFuture<>() : f;
          if (e != null) {
            next.completeExceptionally(e);
          } else {
            next.complete(rt);
          }
          return next;
        });
      }
    });
  }

  private RemoteTrack remoteBySsrc(int ssrc) {
    for (RemoteTrack t : remoteSnapshot) {
      if (t.ssrc() == ssrc || t.isRtx(ssrc)) {
        return t;
      }
    }
    return null;
  }

  private <T> T await(CompletableFuture<T> f, String what) throws Exception {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException(label + ": " + what + " not ready within " + timeout);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static ObjectNode params(String key, String value) {
    ObjectNode p = SignalingClient.JSON.createObjectNode();
    p.put(key, value);
    return p;
  }

  private final class SubscribeSide implements ClientTransport.Listener {
    @Override
    public void onRtp(byte[] buf, int off, int len) {
      RtpPacket p;
      try {
        p = view.wrap(buf, off, len);
      } catch (RuntimeException e) {
        return;
      }
      RemoteTrack t = remoteBySsrc(p.ssrc());
      if (t != null) {
        if (reportReception && t.ssrc() == p.ssrc()) {
          reception(t).onRtp(p.sequenceNumber(), p.timestamp(), System.nanoTime());
        }
        rtpHandler.onRtp(t, p);
      }
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
      if (reportReception) {
        long now = System.nanoTime();
        try {
          for (RtcpPacket r : RtcpCompound.parse(buf, off, len)) {
            if (r instanceof SenderReport sr) {
              RemoteTrack t = remoteBySsrc(sr.ssrc());
              if (t != null && t.ssrc() == sr.ssrc()) {
                reception(t).onSenderReport(sr.compactNtp(), now);
              }
            }
          }
        } catch (RuntimeException e) {
          LOG.debug("{}: malformed RTCP from the server: {}", label, e.toString());
        }
      }
      subscribeRtcpHandler.onRtcp(buf, off, len);
    }

    @Override
    public void onFailed(String reason) {
      LOG.info("{}: subscribe connection failed: {}", label, reason);
    }
  }

  private final class PublishSide implements ClientTransport.Listener {
    @Override
    public void onRtp(byte[] buf, int off, int len) {
      // The server sends no media on the publish connection.
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
      List<RtcpPacket> packets;
      try {
        packets = RtcpCompound.parse(buf, off, len);
      } catch (RuntimeException e) {
        return;
      }
      for (RtcpPacket p : packets) {
        int target = p instanceof PictureLossIndication pli ? pli.mediaSsrc()
            : p instanceof FullIntraRequest fir && !fir.entries().isEmpty() ? fir.entries().get(0).ssrc() : 0;
        if (target != 0) {
          for (LocalTrack t : publishedSnapshot) {
            if (t.ssrc() == target) {
              t.keyframeRequested();
            }
          }
        }
      }
      publishRtcpHandler.onRtcp(buf, off, len);
    }

    @Override
    public void onFailed(String reason) {
      LOG.info("{}: publish connection failed: {}", label, reason);
    }
  }
}
