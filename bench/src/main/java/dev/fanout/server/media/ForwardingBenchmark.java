package dev.fanout.server.media;

import dev.fanout.bench.PerPacketBenchmark;
import dev.fanout.bench.RtpParseBenchmark;
import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.ice.IceMux;
import dev.fanout.rtp.PacketClass;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpCrypto;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The server's forwarding path, end to end on the real classes: one SRTP packet arrives on a
 * publisher's {@link WebRtcTransport}, is unprotected and demultiplexed by {@link PublishDemux}
 * to its {@link Producer}, which caches it and hands it to each {@link DownTrack}; every down track
 * rewrites a copy, its subscriber's transport protects it and hands it to a datagram sink that
 * only counts and checksums it (no socket).
 *
 * <p>Publisher and subscribers are set up through the room's {@link Router} as signaling drives
 * it (publish offer, subscribe, subscriber answer), with no signaling connection, on an embedded event loop whose tasks run only when the setup
 * asks; SRTP keys are fixed instead of coming from a DTLS handshake. The class sits in the media
 * package to reach the package-private seams it needs ({@link WebRtcTransport#onDatagram},
 * {@link WebRtcTransport#connectWithoutHandshake}) without making them public.
 *
 * <p>Every invocation forwards {@value #OUTGOING} packets: {@code OUTGOING / subscribers}
 * incoming ones, each to all subscribers. The score is therefore per outgoing packet, directly
 * comparable with {@code SrtpBenchmark.rewriteAndProtect}. Incoming packets must never repeat
 * (replay protection), so a per-invocation setup protects the next ones, outside the timing but
 * inside {@code -prof gc}'s count. jitsi-srtp allocates a little in every protect and unprotect,
 * so when the forwarding code itself allocates nothing, {@code gc.alloc.rate.norm} here is
 * SrtpBenchmark's {@code rewriteAndProtect} figure plus its {@code unprotect} figure (which
 * counts the same setup) divided by {@code subscribers}.
 *
 * <pre>java -jar bench/target/benchmarks.jar 'SrtpBenchmark|ForwardingBenchmark' -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
public class ForwardingBenchmark extends PerPacketBenchmark {
  /** Outgoing packets per invocation; a multiple of every {@link #subscribers} value. */
  static final int OUTGOING = 100;
  private static final int PUBLISHER_SSRC = 0x1234abcd;
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 50000);

  @Param({"1", "10", "100"})
  public int subscribers;

  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public SrtpProfile profile;

  private EmbeddedChannel port;
  private DtlsStack dtls;
  private Router router;
  /** The last subscribe offer each peer was sent. */
  private final Map<Peer, Router.SubscriberOffer> offers = new HashMap<>();
  private WebRtcTransport publisher;
  private SrtpSession upstream;
  /** What the subscribers' transports send. */
  private final Sink sink = new Sink();
  /** What the publisher's transport sends (keyframe requests). */
  private final Sink publisherSink = new Sink();
  private final RtpPacket view = new RtpPacket();
  private final PacketBuffer protect = new PacketBuffer();
  private byte[] plain;
  private ByteBuf[] datagrams;
  private int seq;
  private long expectedSent;

  /** A transport's socket: counts and checksums what it is given (the last byte is the tag's). */
  private static final class Sink implements WebRtcTransport.DatagramSink {
    long datagrams;
    long checksum;

    @Override
    public boolean send(byte[] buf, int off, int len) {
      datagrams++;
      checksum += len + buf[off + len - 1];
      return true;
    }
  }

  /** Keeps each peer's last subscribe offer; a failure or an unexpected event fails the setup. */
  private final class Events implements Router.Listener {
    @Override
    public void trackPublished(Producer track) {}

    @Override
    public void trackUnpublished(Producer track) {}

    @Override
    public void trackMuted(Producer track) {}

    @Override
    public void subscriberOffer(Peer peer, Router.SubscriberOffer offer) {
      offers.put(peer, offer);
    }

    @Override
    public void peerFailed(Peer peer, String reason) {
      throw new IllegalStateException(peer.identity() + ": " + reason);
    }
  }

  @Setup
  public void setup() throws MediaException {
    if (OUTGOING % subscribers != 0) {
      throw new IllegalArgumentException("subscribers must divide " + OUTGOING);
    }
    if (!SrtpCrypto.preferOpenSsl()) {
      System.err.println("OpenSSL is not loaded: jitsi-srtp runs in Java");
    }
    port = new EmbeddedChannel();
    IceMux mux = new IceMux();
    mux.attach(port);
    dtls = new DtlsStack(DtlsCertificate.generate());
    MediaEngine engine = new MediaEngine(mux, dtls, List.of("127.0.0.1"), 10000);
    router = new Router(engine, port.eventLoop(), "bench", new Events());

    byte[] material = new byte[profile.keyingMaterialLength()];
    for (int i = 0; i < material.length; i++) {
      material[i] = (byte) (i * 31 + 7);
    }
    SrtpKeys serverKeys = SrtpKeys.fromDtlsExport(profile, material, false);
    upstream = SrtpSession.create(serverKeys.reversed());

    Peer alice = router.addPeer("alice");
    Producer producer = router.publish(alice, PUBLISH_OFFER,
        List.of(new Router.TrackRequest("0", "video", "camera", false))).created().get(0);
    publisher = alice.publishTransport();
    publisher.connectWithoutHandshake(serverKeys, publisherSink);
    for (int i = 0; i < subscribers; i++) {
      Peer bob = router.addPeer("bob" + i);
      router.subscribe(bob, producer.trackId());
      port.runPendingTasks();
      Router.SubscriberOffer offer = offers.get(bob);
      router.subscriberAnswer(bob, offer.revision(), answer(offer.sdp()));
      bob.subscribeTransport().connectWithoutHandshake(serverKeys, sink);
    }

    plain = RtpParseBenchmark.videoPacket(1200);
    view.wrap(plain, 0, plain.length);
    plain[view.payloadOffset()] = 0x10; // VP8 descriptor: start of partition 0
    plain[view.payloadOffset() + 1] = 0x00; // VP8 payload header: key frame
    datagrams = new ByteBuf[OUTGOING / subscribers];
    for (int i = 0; i < datagrams.length; i++) {
      datagrams[i] = Unpooled.buffer(1500);
    }

    // Every packet must reach every subscriber, or the benchmark measures drops.
    nextDatagrams();
    forward();
    if (sink.datagrams != OUTGOING) {
      throw new IllegalStateException("forwarded " + sink.datagrams + " of " + OUTGOING + " packets");
    }
  }

  /** Protects the packets the next invocation receives; the transport releases each once. */
  @Setup(Level.Invocation)
  public void nextDatagrams() {
    for (ByteBuf d : datagrams) {
      view.wrap(plain, 0, plain.length).setSequenceNumber(seq++);
      protect.wrap(d.array(), d.arrayOffset(), 0, d.capacity());
      if (upstream.protectRtp(plain, 0, plain.length, protect) != SrtpStatus.OK) {
        throw new IllegalStateException("protect failed");
      }
      d.setIndex(0, protect.getLength()).retain();
    }
  }

  @Benchmark
  @OperationsPerInvocation(OUTGOING)
  public long forward() {
    for (ByteBuf d : datagrams) {
      publisher.onDatagram(PacketClass.RTP_RTCP, d, PEER);
    }
    expectedSent += OUTGOING;
    return sink.checksum;
  }

  @TearDown
  public void tearDown() {
    if (sink.datagrams != expectedSent) {
      throw new IllegalStateException("forwarded " + sink.datagrams + " of " + expectedSent + " packets");
    }
    router.close();
    for (ByteBuf d : datagrams) {
      d.release();
    }
    upstream.close();
    dtls.close();
    port.finishAndReleaseAll();
  }

  /** The subscriber side of the answer: same sections and codecs, receive-only, DTLS client. */
  private static String answer(String offer) {
    StringBuilder sdp = new StringBuilder();
    for (String line : offer.split("\r\n")) {
      if (line.startsWith("a=ice-lite") || line.startsWith("a=candidate") || line.startsWith("a=ssrc")
          || line.startsWith("a=msid")) {
        continue;
      }
      if (line.startsWith("a=ice-ufrag:")) {
        line = "a=ice-ufrag:" + REMOTE_UFRAG;
      } else if (line.startsWith("a=ice-pwd:")) {
        line = "a=ice-pwd:" + REMOTE_PASSWORD;
      } else if (line.startsWith("a=fingerprint:")) {
        line = REMOTE_FINGERPRINT;
      } else if (line.equals("a=setup:actpass")) {
        line = "a=setup:active";
      } else if (line.equals("a=sendonly")) {
        line = "a=recvonly";
      }
      sdp.append(line).append("\r\n");
    }
    return sdp.toString();
  }

  private static final String REMOTE_UFRAG = "bnch";
  private static final String REMOTE_PASSWORD = "benchpasswordbenchpasswo";
  private static final String REMOTE_FINGERPRINT = "a=fingerprint:sha-256 "
      + "0D:C3:A1:91:01:AA:A7:D3:5B:46:18:B5:CE:89:B7:13:1D:3D:E0:DD:57:A8:C6:9D:79:51:2B:A3:39:82:F5:FE";

  /** One VP8 video track with RTX, the extension ids of {@link RtpParseBenchmark#videoPacket}. */
  private static final String PUBLISH_OFFER = String.join("\r\n",
      "v=0",
      "o=- 1 2 IN IP4 127.0.0.1",
      "s=-",
      "t=0 0",
      "a=group:BUNDLE 0",
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
      "c=IN IP4 0.0.0.0",
      "a=ice-ufrag:" + REMOTE_UFRAG,
      "a=ice-pwd:" + REMOTE_PASSWORD,
      REMOTE_FINGERPRINT,
      "a=setup:actpass",
      "a=mid:0",
      "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid",
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "a=sendonly",
      "a=msid:bench-stream bench-track",
      "a=rtcp-mux",
      "a=rtcp-rsize",
      "a=rtpmap:96 VP8/90000",
      "a=rtcp-fb:96 transport-cc",
      "a=rtcp-fb:96 nack",
      "a=rtcp-fb:96 nack pli",
      "a=rtpmap:97 rtx/90000",
      "a=fmtp:97 apt=96",
      "a=ssrc-group:FID " + (PUBLISHER_SSRC & 0xffffffffL) + " " + ((PUBLISHER_SSRC + 1) & 0xffffffffL),
      "a=ssrc:" + (PUBLISHER_SSRC & 0xffffffffL) + " cname:bench",
      "a=ssrc:" + ((PUBLISHER_SSRC + 1) & 0xffffffffL) + " cname:bench",
      "");
}
