package dev.fanout.server.client;

import dev.fanout.client.ClientContext;
import dev.fanout.client.FanoutClient;
import dev.fanout.client.RemoteTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.codec.Vp8Descriptor;
import dev.fanout.sdp.MediaKind;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.TestServers;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.config.FanoutConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A real server on loopback and headless Java clients against it. */
final class ClientHarness implements AutoCloseable {
  static final String KEY = TestServers.KEY;

  final FanoutServer server;
  final ClientContext context;
  private final List<FanoutClient> clients = new ArrayList<>();

  ClientHarness(Consumer<FanoutConfig> configure) throws Exception {
    FanoutConfig c = TestServers.loopbackConfig();
    configure.accept(c);
    server = FanoutServer.start(c);
    // Consent checks every second, so tests may shorten the server's consent timeout.
    context = ClientContext.create(1, Duration.ofSeconds(10), Duration.ofSeconds(1));
  }

  ClientHarness() throws Exception {
    this(c -> {});
  }

  URI rtcUrl() {
    return URI.create("ws://127.0.0.1:" + server.httpAddress().getPort() + "/rtc");
  }

  String token(String room, String identity, boolean canPublish, boolean canSubscribe) {
    return server.tokens().mint(KEY, new AccessTokens.Grant(room, identity, identity, canPublish, canSubscribe, null),
        Duration.ofMinutes(5));
  }

  FanoutClient connect() throws Exception {
    FanoutClient c = FanoutClient.connect(rtcUrl(), context);
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  FanoutClient join(String room, String identity) throws Exception {
    FanoutClient c = connect();
    c.join(token(room, identity, true, true));
    return c;
  }

  /** Joins with full grants, the client's media going through {@code relay} (a link emulator). */
  FanoutClient joinVia(java.net.InetSocketAddress relay, String room, String identity) throws Exception {
    FanoutClient c = connect();
    c.sendMediaVia(relay);
    c.join(token(room, identity, true, true));
    return c;
  }

  /** Polls {@code condition} every 20 ms for up to {@code timeout}; fails with {@code what}. */
  static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Events of one client, in order. */
  static final class Events implements java.util.function.BiConsumer<String, com.fasterxml.jackson.databind.JsonNode> {
    final java.util.concurrent.BlockingQueue<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> queue =
        new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void accept(String name, com.fasterxml.jackson.databind.JsonNode data) {
      queue.add(Map.entry(name, data));
    }

    /** The next event called {@code name}, skipping others; fails after 5 s. */
    com.fasterxml.jackson.databind.JsonNode next(String name) throws InterruptedException {
      return next(name, Duration.ofSeconds(5));
    }

    com.fasterxml.jackson.databind.JsonNode next(String name, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        var e = queue.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (e != null && e.getKey().equals(name)) {
          return e.getValue();
        }
      }
      throw new AssertionError("no " + name + " event within " + timeout);
    }
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(FanoutClient::close);
    }
    server.close();
    context.close();
  }

  /** One received packet, as much of it as the tests look at. */
  record Received(int ssrc, int seq, long timestamp, int payloadType, boolean marker, boolean keyframe,
      boolean frameStart, long index, boolean rtx, int rtxOriginalSeq, long nanos) {}

  /** Collects what a subscriber receives, per track id. */
  static final class Recorder implements FanoutClient.RtpHandler {
    final Map<String, List<Received>> byTrack = new ConcurrentHashMap<>();
    private final Vp8Descriptor vp8 = new Vp8Descriptor();

    @Override
    public void onRtp(RemoteTrack track, RtpPacket p) {
      boolean rtx = track.isRtx(p.ssrc());
      boolean key = false;
      boolean start = false;
      long index;
      int osn = -1;
      if (rtx) {
        byte[] b = p.buffer();
        osn = ((b[p.payloadOffset()] & 0xff) << 8) | (b[p.payloadOffset() + 1] & 0xff);
        index = SyntheticMedia.packetIndex(b, p.payloadOffset() + 2, p.payloadLength() - 2, track.kind());
      } else {
        if (track.kind() == MediaKind.VIDEO) {
          vp8.parse(p.buffer(), p.payloadOffset(), p.payloadLength());
          key = vp8.isKeyFrame();
          start = vp8.isStartOfFrame();
        }
        index = SyntheticMedia.packetIndex(p, track.kind());
      }
      List<Received> l = byTrack.computeIfAbsent(track.trackId(), k -> java.util.Collections.synchronizedList(new ArrayList<>()));
      l.add(new Received(p.ssrc(), p.sequenceNumber(), p.timestamp(), p.payloadType(), p.marker(), key, start, index,
          rtx, osn, System.nanoTime()));
    }

    List<Received> of(String trackId) {
      List<Received> l = byTrack.get(trackId);
      if (l == null) {
        return List.of();
      }
      synchronized (l) {
        return List.copyOf(l);
      }
    }

    List<Received> media(String trackId) {
      return of(trackId).stream().filter(r -> !r.rtx()).toList();
    }
  }
}
