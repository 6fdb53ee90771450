package dev.fanout.client;

import dev.fanout.dtls.DtlsConnection;
import dev.fanout.dtls.DtlsFailure;
import dev.fanout.dtls.DtlsListener;
import dev.fanout.dtls.DtlsRole;
import dev.fanout.dtls.PeerCertificate;
import dev.fanout.ice.IceCredentials;
import dev.fanout.ice.stun.MessageIntegrity;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunDecoder;
import dev.fanout.ice.stun.StunFormatException;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.ice.stun.StunWriter;
import dev.fanout.ice.net.DatagramDispatcher;
import dev.fanout.ice.net.MediaPort;
import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.PacketClass;
import dev.fanout.rtp.rtcp.Rtcp;
import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of one peer connection: its own UDP socket, ICE as the full, controlling agent
 * against the server's ICE-lite (RFC 8445 §2.5), DTLS as the client (the server always answers
 * {@code a=setup:passive} to our {@code actpass} and we answer {@code active} to its offers),
 * then SRTP both ways.
 *
 * <p>Everything runs on one event loop of the {@link ClientContext}: datagrams, timers, DTLS
 * callbacks, and the {@link Listener}. {@link #sendRtp} and {@link #sendRtcp} may be called from
 * any thread; off the loop they copy the packet and hand it over.
 */
public final class ClientTransport implements DtlsListener {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTransport.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** RFC 8445 §6.1.2.1 with §5.1.2.1's recommended values: host candidate, component 1. */
  private static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | 255L;
  /** Binding request retransmission until the first response (RFC 8445 §14.3 paces at 50 ms). */
  private static final long CHECK_INTERVAL_MILLIS = 50;
  private static final int EARLY_SRTP_LIMIT = 64;

  /** Decides which received RTP packets to lose on purpose, before decryption. */
  @FunctionalInterface
  public interface LossModel {
    /** True to drop the packet with this SSRC and sequence number (read from the clear header). */
    boolean drop(int ssrc, int sequenceNumber);
  }

  /** What the transport hands its owner; called on the transport's loop. */
  public interface Listener {
    /** A decrypted RTP packet in {@code buf[off, off+len)}; valid only during the call. */
    void onRtp(byte[] buf, int off, int len);

    /** A decrypted compound RTCP packet; valid only during the call. */
    void onRtcp(byte[] buf, int off, int len);

    /** ICE or DTLS failed, or the server ended DTLS; the transport is closed. */
    default void onFailed(String reason) {}
  }

  private final ClientContext context;
  private final EventLoop loop;
  private final String label;
  private final Listener listener;
  private final IceCredentials local = IceCredentials.generate(RANDOM);
  private final long tieBreaker = RANDOM.nextLong();
  private final CompletableFuture<ClientTransport> connected = new CompletableFuture<>();
  private final byte[] scratch = new byte[MediaPort.MAX_DATAGRAM];
  private final PacketBuffer scratchView = new PacketBuffer();
  private final byte[] stunOut = new byte[512];
  private final Stats stats = new Stats();

  private boolean started; // guarded by this
  // Loop-confined after start().
  private volatile Channel channel;
  private InetSocketAddress remote;
  private MessageIntegrity remoteKey;
  private List<dev.fanout.dtls.Fingerprint> remoteFingerprints;
  private String username;
  private byte[] pendingTransaction;
  private ScheduledFuture<?> checks;
  private long checksStartedNanos;
  private long lastResponseNanos;
  private boolean iceConnected;
  private DtlsConnection dtls;
  /**
   * SRTP that arrived while our DTLS handshake was finishing (loop only): the server may send
   * media as soon as it has sent its last flight, before we have derived the keys. Replayed in
   * order once they are; at most {@link #EARLY_SRTP_LIMIT}.
   */
  private final java.util.ArrayDeque<byte[]> earlySrtp = new java.util.ArrayDeque<>();
  private volatile SrtpSession srtp;
  private volatile boolean closed;
  private volatile LossModel loss;

  ClientTransport(ClientContext context, String label, Listener listener) {
    this.context = context;
    this.loop = context.loops().next();
    this.label = label;
    this.listener = listener;
  }

  public String label() {
    return label;
  }

  /** The {@code a=ice-ufrag} of our SDP. */
  public String iceUfrag() {
    return local.ufrag();
  }

  /** The {@code a=ice-pwd} of our SDP. */
  public String icePassword() {
    return local.password();
  }

  public EventLoop loop() {
    return loop;
  }

  /** Completes when DTLS has produced SRTP keys; fails when ICE or DTLS fails first. */
  public CompletableFuture<ClientTransport> connected() {
    return connected;
  }

  public boolean isConnected() {
    return srtp != null && !closed;
  }

  /** Where this transport's socket is bound, or null before {@link #start}. */
  public InetSocketAddress localAddress() {
    Channel ch = channel;
    return ch == null ? null : (InetSocketAddress) ch.localAddress();
  }

  public Stats stats() {
    return stats;
  }

  /**
   * Applies the server's description: binds a socket of the server candidate's address family,
   * then runs connectivity checks against {@code server} and, once one succeeds, the DTLS
   * handshake. Later calls (renegotiations) change nothing.
   *
   * @param server the server's candidate (ICE-lite servers list their host candidates)
   */
  public synchronized void start(InetSocketAddress server, String remoteUfrag, String remotePassword,
      List<dev.fanout.dtls.Fingerprint> remoteFingerprints) throws InterruptedException {
    if (started || closed) {
      return;
    }
    started = true;
    if (remoteFingerprints.isEmpty()) {
      throw new IllegalArgumentException("the server's SDP has no usable a=fingerprint");
    }
    InetAddress bindAddress = bindAddressFor(server.getAddress());
    // The server's own port: recvmmsg batches with epoll, RFC 7983 classification, big buffers.
    Channel ch;
    try {
      ch = MediaPort.bind(context.transport(), loop, new InetSocketAddress(bindAddress, 0), new Inbound()).channel();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(label + ": cannot bind a UDP socket on " + bindAddress + ": " + e.getMessage(), e);
    }
    List<dev.fanout.dtls.Fingerprint> fingerprints = List.copyOf(remoteFingerprints);
    loop.execute(() -> {
      channel = ch;
      this.remoteFingerprints = fingerprints;
      remote = server;
      remoteKey = MessageIntegrity.shortTerm(remotePassword);
      // RFC 8445 §7.2.2: USERNAME is the recipient's ufrag, a colon, then the sender's.
      username = remoteUfrag + ":" + local.ufrag();
      if (closed) {
        ch.close();
        return;
      }
      checksStartedNanos = System.nanoTime();
      checks = loop.scheduleAtFixedRate(this::check, 0, CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /**
   * Moves the transport to a new local port, as a NAT does when it rebinds the flow to a new
   * external port: a new socket binds, the old one closes, and checks, DTLS and SRTP go on from
   * the new one without a word to the server, which learns the new address from the next consent
   * check. For tests of the server; call from any thread but the transport's loop.
   *
   * @return the new local address
   */
  public InetSocketAddress rebind() throws InterruptedException {
    Channel old = channel;
    if (old == null || closed) {
      throw new IllegalStateException(label + " is not started or already closed");
    }
    InetSocketAddress at = (InetSocketAddress) old.localAddress();
    Channel moved;
    try {
      moved = MediaPort.bind(context.transport(), loop, new InetSocketAddress(at.getAddress(), 0), new Inbound()).channel();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(label + ": cannot bind a UDP socket on " + at.getAddress() + ": " + e.getMessage(), e);
    }
    loop.execute(() -> {
      if (closed || channel == null) {
        moved.close();
        return;
      }
      channel = moved;
      old.close();
    });
    return (InetSocketAddress) moved.localAddress();
  }

  /** Loopback servers get a loopback socket; any other server the wildcard of its family. */
  private static InetAddress bindAddressFor(InetAddress server) {
    try {
      if (server.isLoopbackAddress()) {
        return server instanceof java.net.Inet6Address ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
      }
      return server instanceof java.net.Inet6Address ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0");
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends a binding request; until ICE succeeds, every 50 ms, then one per consent interval. */
  private void check() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (!iceConnected) {
      if (now - checksStartedNanos > context.timeout().toNanos()) {
        fail("ICE: no answer to connectivity checks from " + remote + " within " + context.timeout());
        return;
      }
    } else if (now - lastResponseNanos > TimeUnit.SECONDS.toNanos(30)) {
      fail("ICE: consent expired (no binding response for 30 s)");
      return;
    }
    if (iceConnected || pendingTransaction == null) {
      // RFC 8489 §6.2.1: a retransmission keeps its transaction id, so an answer to any copy
      // counts; each consent check is a new transaction.
      pendingTransaction = new byte[StunAttributes.TRANSACTION_ID_LENGTH];
      RANDOM.nextBytes(pendingTransaction);
    }
    // RFC 8445 §7.1: PRIORITY, ICE-CONTROLLING, and USE-CANDIDATE (aggressive nomination: the
    // lite server has one candidate, so the first pair that works is the one).
    int len = new StunWriter(stunOut, 0)
        .header(StunAttributes.BINDING_REQUEST, pendingTransaction)
        .username(username)
        .priority(HOST_PRIORITY)
        .iceControlling(tieBreaker)
        .useCandidate()
        .messageIntegrity(remoteKey)
        .fingerprint()
        .length();
    ByteBuf out = channel.alloc().heapBuffer(len);
    out.writeBytes(stunOut, 0, len);
    write(out);
  }

  private void onStun(ByteBuf datagram) {
    StunMessage m;
    try {
      m = StunDecoder.decode(datagram);
    } catch (StunFormatException e) {
      stats.dropped.incrementAndGet();
      return;
    }
    if (m.type() != StunAttributes.BINDING_SUCCESS_RESPONSE && m.type() != StunAttributes.BINDING_ERROR_RESPONSE) {
      return; // a lite server sends no requests; ignore anything else
    }
    if (pendingTransaction == null || !Arrays.equals(pendingTransaction, m.transactionId())
        || !m.hasIntegrity() || !remoteKey.verify(m)) {
      stats.dropped.incrementAndGet();
      return;
    }
    if (m.type() == StunAttributes.BINDING_ERROR_RESPONSE) {
      fail("ICE: the server answered a connectivity check with error " + m.errorCode());
      return;
    }
    lastResponseNanos = System.nanoTime();
    pendingTransaction = null;
    if (!iceConnected) {
      iceConnected = true;
      checks.cancel(false);
      // Consent freshness (RFC 7675 §5.1).
      long every = context.consentInterval().toMillis();
      checks = loop.scheduleAtFixedRate(this::check, every, every, TimeUnit.MILLISECONDS);
      openDtls();
    }
  }

  private void openDtls() {
    dtls = context.dtls().newConnection(DtlsRole.CLIENT)
        .remoteFingerprints(remoteFingerprints)
        .sender(this::write)
        .listener(this, loop)
        .label(label)
        .open();
  }

  private void onDatagram(PacketClass cls, ByteBuf datagram) {
    if (closed) {
      return;
    }
    switch (cls) {
      case STUN -> onStun(datagram);
      case DTLS -> {
        if (dtls != null) {
          dtls.onDatagram(datagram);
        }
      }
      case RTP_RTCP -> onSrtp(datagram);
      default -> stats.dropped.incrementAndGet();
    }
  }

  private void onSrtp(ByteBuf datagram) {
    SrtpSession s = srtp;
    int len = datagram.readableBytes();
    if (s == null && dtls != null && len <= scratch.length && earlySrtp.size() < EARLY_SRTP_LIMIT) {
      byte[] copy = new byte[len];
      datagram.getBytes(datagram.readerIndex(), copy);
      earlySrtp.add(copy);
      return;
    }
    if (s == null || len > scratch.length) {
      stats.dropped.incrementAndGet();
      return;
    }
    datagram.getBytes(datagram.readerIndex(), scratch, 0, len);
    onSrtp(s, len);
  }

  /** Unprotects and delivers the {@code len} bytes of SRTP or SRTCP in {@link #scratch}. */
  private void onSrtp(SrtpSession s, int len) {
    if (len < 12) {
      stats.dropped.incrementAndGet();
      return;
    }
    if (loss != null && !Rtcp.isRtcp(scratch, 0, len)
        && loss.drop(Bytes.i32(scratch, 8), Bytes.u16(scratch, 2))) {
      stats.dropped.incrementAndGet();
      return;
    }
    switch (s.unprotect(scratchView.wrap(scratch, 0, len, scratch.length))) {
      case RTP -> {
        stats.rtpReceived.incrementAndGet();
        listener.onRtp(scratch, 0, scratchView.getLength());
      }
      case RTCP -> {
        stats.rtcpReceived.incrementAndGet();
        listener.onRtcp(scratch, 0, scratchView.getLength());
      }
      case DROPPED -> stats.dropped.incrementAndGet();
    }
  }

  /**
   * Loses received RTP packets on purpose, as a lossy network would, before SRTP sees them (so
   * their retransmission is not a replay). For tests of NACK and retransmission; null for none.
   */
  public void simulateLoss(LossModel model) {
    this.loss = model;
  }

  /**
   * Protects and sends one RTP packet. Returns false when the transport is not connected (the
   * packet is dropped, as a browser drops media before DTLS completes).
   */
  public boolean sendRtp(byte[] packet, int off, int len) {
    return send(packet, off, len, false);
  }

  /** As {@link #sendRtp} for a compound RTCP packet. */
  public boolean sendRtcp(byte[] packet, int off, int len) {
    return send(packet, off, len, true);
  }

  private boolean send(byte[] packet, int off, int len, boolean rtcp) {
    if (!isConnected()) {
      return false;
    }
    if (!loop.inEventLoop()) {
      byte[] copy = Arrays.copyOfRange(packet, off, off + len);
      loop.execute(() -> send(copy, 0, copy.length, rtcp));
      return true;
    }
    SrtpSession s = srtp;
    ByteBuf buf = channel.alloc().heapBuffer(len + 32);
    buf.writeBytes(packet, off, len);
    SrtpStatus st = rtcp ? s.protectRtcp(buf) : s.protectRtp(buf);
    if (st != SrtpStatus.OK) {
      buf.release();
      return false;
    }
    if (rtcp) {
      stats.rtcpSent.incrementAndGet();
    } else {
      stats.rtpSent.incrementAndGet();
    }
    write(buf);
    return true;
  }

  /** Writes one datagram to the server; takes ownership of {@code buf}. */
  private void write(ByteBuf buf) {
    Channel ch = channel;
    if (ch == null) {
      buf.release();
      return;
    }
    ch.writeAndFlush(new DatagramPacket(buf, remote), ch.voidPromise());
  }

  @Override
  public void onConnected(SrtpKeys keys, PeerCertificate peer) {
    if (closed) {
      return;
    }
    SrtpSession s = SrtpSession.create(keys);
    srtp = s;
    LOG.debug("{}: connected, SRTP {}", label, keys.profile());
    connected.complete(this);
    for (byte[] early = earlySrtp.poll(); early != null; early = earlySrtp.poll()) {
      System.arraycopy(early, 0, scratch, 0, early.length);
      onSrtp(s, early.length);
    }
  }

  @Override
  public void onClosed(boolean byPeer) {
    if (byPeer) {
      fail("DTLS closed by the server");
    }
  }

  @Override
  public void onFailed(DtlsFailure failure) {
    fail("DTLS " + failure);
  }

  private void fail(String reason) {
    if (closed) {
      return;
    }
    LOG.debug("{}: failed: {}", label, reason);
    connected.completeExceptionally(new java.io.IOException(label + ": " + reason));
    close();
    listener.onFailed(reason);
  }

  /** Sends close_notify, closes the socket and drops the keys. Idempotent, any thread. */
  public void close() {
    shutdown(true);
  }

  /**
   * Closes the socket without a word to the server, as a lost network would: the server notices
   * only when consent expires.
   */
  public void abort() {
    shutdown(false);
  }

  private void shutdown(boolean notify) {
    if (closed) {
      return;
    }
    closed = true;
    connected.completeExceptionally(new java.io.IOException(label + ": closed"));
    loop.execute(() -> {
      if (checks != null) {
        checks.cancel(false);
      }
      Channel ch = channel;
      if (!notify) {
        channel = null; // DTLS's close_notify below goes nowhere
      }
      if (dtls != null) {
        dtls.close();
      }
      SrtpSession s = srtp;
      srtp = null;
      if (s != null) {
        s.close();
      }
      if (ch != null) {
        // close_notify, when sent, is queued on the channel before it closes.
        ch.close();
      }
      channel = null;
    });
  }

  /** Counters, readable from any thread. */
  public static final class Stats {
    final AtomicLong rtpReceived = new AtomicLong();
    final AtomicLong rtcpReceived = new AtomicLong();
    final AtomicLong rtpSent = new AtomicLong();
    final AtomicLong rtcpSent = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();

    public long rtpReceived() {
      return rtpReceived.get();
    }

    public long rtcpReceived() {
      return rtcpReceived.get();
    }

    public long rtpSent() {
      return rtpSent.get();
    }

    public long rtcpSent() {
      return rtcpSent.get();
    }

    /** Datagrams dropped: unknown class, failed authentication or decryption, before keys. */
    public long dropped() {
      return dropped.get();
    }
  }

  private final class Inbound implements DatagramDispatcher {
    @Override
    public void dispatch(PacketClass cls, DatagramPacket packet) {
      try {
        if (!packet.sender().equals(remote)) {
          stats.dropped.incrementAndGet();
          return; // only the server's candidate may talk to us
        }
        onDatagram(cls, packet.content());
      } catch (RuntimeException e) {
        stats.dropped.incrementAndGet();
        LOG.debug("{}: dropping a datagram that failed: {}", label, e.toString());
      } finally {
        packet.release();
      }
    }
  }
}
