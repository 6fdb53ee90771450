package dev.fanout.server.media;

import dev.fanout.dtls.DtlsConnection;
import dev.fanout.dtls.DtlsFailure;
import dev.fanout.dtls.DtlsListener;
import dev.fanout.dtls.DtlsRole;
import dev.fanout.dtls.PeerCertificate;
import dev.fanout.ice.IceFailure;
import dev.fanout.ice.IceTransport;
import dev.fanout.ice.IceTransportListener;
import dev.fanout.ice.TokenBucket;
import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.PacketClass;
import dev.fanout.rtp.rtcp.Rtcp;
import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import dev.fanout.sdp.Fingerprint;
import dev.fanout.sdp.TransportDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection on the server: ICE-lite on the shared port, DTLS (role from
 * {@code a=setup}, certificate checked against the SDP fingerprint), then SRTP both ways.
 *
 * <p>Everything runs on the room's event loop, which is the media port's loop: datagrams arrive
 * there, and DTLS listener callbacks are dispatched there. Received SRTP is copied once into a
 * scratch array, unprotected in place and handed to the {@link Listener}. An outgoing packet is
 * built in the caller's array (usually {@link #sendBuffer()}), protected there and handed to the
 * {@link DatagramSink}, which copies it into a pooled direct buffer for the ICE transport: no
 * per-packet garbage, and Netty writes a direct buffer to the socket without another copy.
 */
public final class WebRtcTransport implements IceTransportListener, DtlsListener, RtpSink {
  private static final Logger LOG = LoggerFactory.getLogger(WebRtcTransport.class);

  /** What the transport tells its owner; called on the room's loop. */
  public interface Listener {
    /** A decrypted RTP packet in {@code buf[off, off+len)}; valid only during the call. */
    void onRtp(WebRtcTransport transport, byte[] buf, int off, int len);

    /** A decrypted compound RTCP packet; valid only during the call. */
    void onRtcp(WebRtcTransport transport, byte[] buf, int off, int len);

    /** DTLS completed: media may flow. */
    void onConnected(WebRtcTransport transport);

    /** ICE or DTLS failed; the transport is closed. */
    void onFailed(WebRtcTransport transport, String reason);
  }

  /** Where the transport's protected RTP and RTCP go. */
  @FunctionalInterface
  interface DatagramSink {
    /**
     * Sends {@code buf[off, off + len)} as one datagram; the caller may reuse the array at once.
     * False when it was dropped.
     */
    boolean send(byte[] buf, int off, int len);
  }

  /** Size of the receive scratch and of {@link #sendBuffer()}. */
  static final int MAX_DATAGRAM = 2048;
  /**
   * Budget of SRTP/SRTCP receive-context derivations (packets under an SSRC not yet seen): a
   * publisher starts with a handful of SSRCs (audio, video layers, RTX, RTCP senders) at once,
   * then adds a few per new track.
   */
  static final int NEW_STREAM_BURST = 32;
  static final int NEW_STREAMS_PER_SECOND = 8;

  private final MediaEngine engine;
  private final EventLoop loop;
  private final String label;
  private final Listener listener;
  private final IceTransport ice;
  private final byte[] scratch = new byte[MAX_DATAGRAM];
  private final PacketBuffer scratchView = new PacketBuffer();
  /**
   * A peer that answers our offer starts ICE, and then DTLS, as soon as it has the offer; its
   * ClientHello can arrive before its answer. Kept (a few, copied) until the answer starts DTLS,
   * instead of making the peer wait a 1 s retransmission (RFC 6347 §4.2.4.1).
   */
  private static final int MAX_EARLY_DTLS = 4;
  private final List<byte[]> early = new ArrayList<>(0);
  private final byte[] sendBuffer = new byte[MAX_DATAGRAM];
  private final byte[] repairBuffer = new byte[MAX_DATAGRAM];
  /** Outgoing stage: the transport-wide sequence counter and what was sent under each number. */
  private int transportSeq;
  private final SendHistory sendHistory = new SendHistory(8192);
  private final PacketBuffer sendView = new PacketBuffer();
  private DatagramSink sink = this::sendToIce;
  private DtlsConnection dtls;
  private SrtpSession srtp;
  private final TokenBucket newStreams = new TokenBucket(NEW_STREAM_BURST, NEW_STREAMS_PER_SECOND);
  private long newStreamsRefused;
  private boolean closed;

  public WebRtcTransport(MediaEngine engine, EventLoop loop, String label, Listener listener) {
    this.engine = engine;
    this.loop = loop;
    this.label = label;
    this.listener = listener;
    this.ice = engine.mux().register(this, this::onDatagram);
  }

  public String label() {
    return label;
  }

  public String iceUfrag() {
    return ice.localUfrag();
  }

  public String icePassword() {
    return ice.localPassword();
  }

  public boolean connected() {
    return srtp != null && !closed;
  }

  @Override
  public boolean ready() {
    return connected();
  }

  /** Bytes SRTP adds to an RTP packet on this transport (0 before DTLS completed). */
  public int rtpOverhead() {
    return srtp == null ? 0 : srtp.rtpOverhead();
  }

  /**
   * Applies the remote description: starts DTLS in the role {@code a=setup} implies, expecting a
   * certificate that matches the SDP fingerprints. Later calls (renegotiations) change nothing.
   */
  public void start(TransportDescription remote) {
    if (dtls != null || closed) {
      return;
    }
    ice.remoteUfrag(remote.remoteIceUfrag());
    List<dev.fanout.dtls.Fingerprint> expected = new ArrayList<>();
    for (Fingerprint f : remote.remoteFingerprints()) {
      try {
        expected.add(dev.fanout.dtls.Fingerprint.parse(f.attributeValue()));
      } catch (IllegalArgumentException e) {
        LOG.debug("{}: ignoring fingerprint {}: {}", label, f, e.getMessage());
      }
    }
    if (expected.isEmpty()) {
      throw new IllegalArgumentException("no usable a=fingerprint (sha-1, sha-256, sha-384 or sha-512)");
    }
    DtlsRole role = remote.localIsDtlsClient() ? DtlsRole.CLIENT : DtlsRole.SERVER;
    dtls = engine.dtls().newConnection(role)
        .remoteFingerprints(expected)
        .sender(ice::send)
        .listener(this, loop)
        .label(label)
        .open();
    for (byte[] d : early) {
      dtls.onDatagram(d, 0, d.length);
    }
    early.clear();
  }

  /** A datagram from the peer's validated address; takes ownership of {@code datagram}. */
  void onDatagram(PacketClass cls, ByteBuf datagram, InetSocketAddress from) {
    try {
      if (closed) {
        return;
      }
      if (cls == PacketClass.DTLS) {
        if (dtls != null) {
          dtls.onDatagram(datagram);
        } else if (early.size() < MAX_EARLY_DTLS) {
          early.add(ByteBufUtil.getBytes(datagram));
        }
        return;
      }
      SrtpSession s = srtp;
      int len = datagram.readableBytes();
      if (s == null || len > scratch.length || len < 12) {
        return;
      }
      datagram.getBytes(datagram.readerIndex(), scratch, 0, len);
      if (!mayDerive(s, scratch, len)) {
        newStreamsRefused++;
        return;
      }
      switch (s.unprotect(scratchView.wrap(scratch, 0, len, scratch.length))) {
        case RTP -> listener.onRtp(this, scratch, 0, scratchView.getLength());
        case RTCP -> listener.onRtcp(this, scratch, 0, scratchView.getLength());
        case DROPPED -> { }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: dropping a datagram that failed: {}", label, e.toString());
    } finally {
      datagram.release();
    }
  }

  /**
   * Whether the packet in {@code b[0, len)} may be unprotected: always under a known SSRC, within
   * the budget under a new one. A new SSRC costs a key derivation before its tag can be checked,
   * and anyone who can spoof our peer's validated address could send a fresh SSRC in every
   * packet; the budget keeps that cost to a few derivations a second per transport. The worst
   * such a spoofer gets is a new stream of this one transport starting late.
   */
  private boolean mayDerive(SrtpSession s, byte[] b, int len) {
    boolean rtcp = Rtcp.isRtcp(b, 0, len);
    int ssrc = Bytes.i32(b, rtcp ? 4 : 8); // len >= 12: both fit
    return !s.wouldDeriveReceiveContext(ssrc, rtcp) || newStreams.tryTake(System.nanoTime());
  }

  /** Packets under a new SSRC dropped because the derivation budget was spent; room's loop. */
  long newStreamsRefused() {
    return newStreamsRefused;
  }

  /**
   * An array for building one outgoing packet at offset 0, with room for the SRTP tag after any
   * packet the transport receives. Every send may overwrite it; room's loop only.
   */
  @Override
  public byte[] sendBuffer() {
    return sendBuffer;
  }

  /** A second array, for a cached packet being rewritten into {@link #sendBuffer()}. */
  @Override
  public byte[] repairBuffer() {
    return repairBuffer;
  }

  /**
   * The next transport-wide sequence number of this transport: one counter for every packet it
   * sends, whichever track (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).
   */
  @Override
  public int nextTransportSeq() {
    int s = transportSeq;
    transportSeq = (s + 1) & 0xffff;
    return s;
  }

  /** Records a packet sent under a transport-wide sequence number, for the estimator. */
  @Override
  public void sent(int transportSeq, int size, long nowNanos) {
    sendHistory.sent(transportSeq, size, nowNanos);
  }

  SendHistory sendHistory() {
    return sendHistory;
  }

  /**
   * Protects the RTP packet in {@code buf[off, off + len)} in place and sends it. The array needs
   * {@link #rtpOverhead()} bytes of room after the packet; the caller may reuse it on return.
   */
  @Override
  public boolean sendRtp(byte[] buf, int off, int len) {
    SrtpSession s = srtp;
    if (s == null || closed || s.protectRtp(sendView.wrap(buf, off, len)) != SrtpStatus.OK) {
      return false;
    }
    return sink.send(buf, off, sendView.getLength());
  }

  /** As {@link #sendRtp} for a compound RTCP packet, which needs room for SRTCP's index and tag. */
  public boolean sendRtcp(byte[] buf, int off, int len) {
    SrtpSession s = srtp;
    if (s == null || closed || s.protectRtcp(sendView.wrap(buf, off, len)) != SrtpStatus.OK) {
      return false;
    }
    return sink.send(buf, off, sendView.getLength());
  }

  /** The server's sink: a pooled direct copy to the ICE transport's selected address. */
  private boolean sendToIce(byte[] buf, int off, int len) {
    ByteBuf datagram = engine.alloc().directBuffer(len);
    datagram.writeBytes(buf, off, len);
    return ice.send(datagram);
  }

  @Override
  public void onConnected(SrtpKeys keys, PeerCertificate peer) {
    if (closed) {
      return;
    }
    LOG.info("{}: DTLS connected ({}), SRTP {}", label, dtls.role(), keys.profile());
    startSrtp(keys);
  }

  private void startSrtp(SrtpKeys keys) {
    srtp = SrtpSession.create(keys);
    listener.onConnected(this);
  }

  /**
   * For benchmarks, never called by the server: connects as if the DTLS handshake had produced
   * {@code keys}, and from now on hands protected RTP and RTCP to {@code sink} instead of the ICE
   * transport.
   */
  void connectWithoutHandshake(SrtpKeys keys, DatagramSink sink) {
    if (closed || srtp != null) {
      throw new IllegalStateException(label + " is already connected or closed");
    }
    this.sink = sink;
    startSrtp(keys);
  }

  @Override
  public void onClosed(boolean byPeer) {
    if (byPeer && !closed) {
      fail("DTLS closed by peer");
    }
  }

  @Override
  public void onFailed(DtlsFailure failure) {
    fail("DTLS " + failure);
  }

  @Override
  public void onFailed(IceTransport transport, IceFailure reason) {
    loop.execute(() -> fail("ICE " + reason));
  }

  @Override
  public void onSelectedAddressChanged(InetSocketAddress previous, InetSocketAddress current) {
    if (previous != null) {
      LOG.info("{}: peer moved from {} to {}", label, previous, current);
    }
  }

  private void fail(String reason) {
    if (closed) {
      return;
    }
    LOG.info("{}: transport failed: {}", label, reason);
    close();
    listener.onFailed(this, reason);
  }

  /** Sends close_notify, unregisters from ICE and drops the SRTP keys. Idempotent. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    early.clear();
    if (dtls != null) {
      dtls.close();
    }
    ice.close();
    if (srtp != null) {
      srtp.close();
      srtp = null;
    }
  }
}
