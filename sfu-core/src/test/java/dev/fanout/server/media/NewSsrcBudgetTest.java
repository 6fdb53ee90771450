package dev.fanout.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.ice.IceMux;
import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.PacketClass;
import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SRTP from a validated address under an SSRC the transport has not seen costs a key derivation
 * before its tag can be checked. Someone who spoofs the peer's address and puts a fresh SSRC in
 * every packet gets a few derivations a second, not one per packet; the peer's own streams are
 * never limited, and its new streams still start.
 */
class NewSsrcBudgetTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
  private static final int SPOOFED = 20_000;

  private EmbeddedChannel port;
  private DtlsStack dtls;
  private WebRtcTransport transport;
  private SrtpSession peer;
  private final Map<Integer, AtomicInteger> delivered = new ConcurrentHashMap<>();

  @BeforeEach
  void connect() {
    port = new EmbeddedChannel();
    IceMux mux = new IceMux();
    mux.attach(port);
    dtls = new DtlsStack(DtlsCertificate.generate());
    MediaEngine engine = new MediaEngine(mux, dtls, List.of("127.0.0.1"), 10000);
    transport = new WebRtcTransport(engine, port.eventLoop(), "budget", new WebRtcTransport.Listener() {
      @Override
      public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
        delivered.computeIfAbsent(Bytes.i32(buf, off + 8), k -> new AtomicInteger()).incrementAndGet();
      }

      @Override
      public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {}

      @Override
      public void onConnected(WebRtcTransport t) {}

      @Override
      public void onFailed(WebRtcTransport t, String reason) {}
    });
    byte[] material = new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.keyingMaterialLength()];
    for (int i = 0; i < material.length; i++) {
      material[i] = (byte) (i * 31 + 7);
    }
    SrtpKeys keys = SrtpKeys.fromDtlsExport(SrtpProfile.AES_CM_128_HMAC_SHA1_80, material, false);
    transport.connectWithoutHandshake(keys, (buf, off, len) -> true);
    peer = SrtpSession.create(keys.reversed());
  }

  @AfterEach
  void close() {
    transport.close();
    peer.close();
    dtls.close();
    port.finishAndReleaseAll();
  }

  @Test
  void spoofedSrtpUnderFreshSsrcsGetsAFewKeyDerivationsASecond() throws Exception {
    int mine = 0x1111;
    int seq = 0;
    receive(protect(mine, seq++));
    assertThat(delivered(mine)).isEqualTo(1);

    SplittableRandom random = new SplittableRandom(7);
    byte[] spoofed = new byte[1200];
    long start = System.nanoTime();
    for (int i = 0; i < SPOOFED; i++) {
      random.nextBytes(spoofed);
      spoofed[0] = (byte) 0x80; // RTP version 2, no padding, extension or CSRC
      spoofed[1] = 96;
      receive(spoofed);
      if (i % 100 == 0) {
        receive(protect(mine, seq++)); // the peer's own stream goes on
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    long derived = SPOOFED - transport.newStreamsRefused();
    long budget = WebRtcTransport.NEW_STREAM_BURST
        + (long) Math.ceil(seconds * WebRtcTransport.NEW_STREAMS_PER_SECOND) + 1;
    System.out.printf("new-SSRC budget: %d spoofed packets in %.2f s, %d reached key derivation (budget %d)%n",
        SPOOFED, seconds, derived, budget);
    assertThat(derived).as("spoofed packets that cost a key derivation").isLessThanOrEqualTo(budget);
    assertThat(delivered(mine)).as("the peer's known stream is never limited").isEqualTo(1 + SPOOFED / 100);

    // A stream the peer starts now gets a derivation as soon as the budget has refilled a little.
    int fresh = 0x2222;
    int freshSeq = 0;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (delivered(fresh) == 0 && System.nanoTime() < deadline) {
      receive(protect(fresh, freshSeq++));
      Thread.sleep(20);
    }
    assertThat(delivered(fresh)).as("a new stream of the peer starts").isPositive();
  }

  private int delivered(int ssrc) {
    AtomicInteger n = delivered.get(ssrc);
    return n == null ? 0 : n.get();
  }

  private void receive(byte[] datagram) {
    transport.onDatagram(PacketClass.RTP_RTCP, Unpooled.wrappedBuffer(datagram.clone()), PEER);
  }

  /** An authentic SRTP packet of the peer with 160 bytes of payload. */
  private byte[] protect(int ssrc, int seq) {
    byte[] b = new byte[12 + 160 + 16];
    b[0] = (byte) 0x80;
    b[1] = 111;
    b[2] = (byte) (seq >> 8);
    b[3] = (byte) seq;
    Bytes.put32(b, 4, seq * 960);
    Bytes.put32(b, 8, ssrc);
    PacketBuffer p = new PacketBuffer().wrap(b, 0, 12 + 160, b.length);
    assertThat(peer.protectRtp(p)).isEqualTo(SrtpStatus.OK);
    return java.util.Arrays.copyOf(b, p.getLength());
  }
}
