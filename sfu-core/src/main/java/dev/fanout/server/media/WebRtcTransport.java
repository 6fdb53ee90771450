package dev.fanout.server.media;

import dev.fanout.dtls.DtlsConnection;
import dev.fanout.dtls.DtlsFailure;
import dev.fanout.dtls.DtlsListener;
import dev.fanout.dtls.DtlsRole;
import dev.fanout.dtls.PeerCertificate;
import dev.fanout.ice.IceFailure;
import dev.fanout.ice.IceTransport;
import dev.fanout.ice.IceTransportListener;
import dev.fanout.rtp.PacketClass;
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
 * scratch array, unprotected in place and handed to the {@link Listener}; outgoing packets are
 * protected in the caller's buffer and sent.
 */
public final class WebRtcTransport implements IceTransportListener, DtlsListener {
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

  private final MediaEngine engine;
  private final EventLoop loop;
  private final String label;
  private final Listener listener;
  private final IceTransport ice;
  private final byte[] scratch = new byte[2048];
  private final PacketBuffer scratchView = new PacketBuffer();
  /**
   * A peer that answers our offer starts ICE, and then DTLS, as soon as it has the offer; its
   * ClientHello can arrive before its answer. Kept (a few, copied) until the answer starts DTLS,
   * instead of making the peer wait a 1 s retransmission (RFC 6347 §4.2.4.1).
   */
  private static final int MAX_EARLY_DTLS = 4;
  private final List<byte[]> early = new ArrayList<>(0);
  private DtlsConnection dtls;
  private SrtpSession srtp;
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

  private void onDatagram(PacketClass cls, ByteBuf datagram, InetSocketAddress from) {
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
      scratchView.wrap(scratch, 0, len, scratch.length);
      // RFC 5761 §4: payload types 192-223 (with the marker bit) are RTCP.
      int pt = scratch[1] & 0x7f;
      if (pt >= 64 && pt <= 95) {
        if (s.unprotectRtcp(scratchView) == SrtpStatus.OK) {
          listener.onRtcp(this, scratch, 0, scratchView.getLength());
        }
      } else if (s.unprotectRtp(scratchView) == SrtpStatus.OK) {
        listener.onRtp(this, scratch, 0, scratchView.getLength());
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: dropping a datagram that failed: {}", label, e.toString());
    } finally {
      datagram.release();
    }
  }

  /**
   * Protects the RTP packet in {@code packet} (a heap buffer with {@link #rtpOverhead()} bytes of
   * room) in place and sends it. Takes ownership of {@code packet}.
   */
  public boolean sendRtp(ByteBuf packet) {
    SrtpSession s = srtp;
    if (s == null || closed || s.protectRtp(packet) != SrtpStatus.OK) {
      packet.release();
      return false;
    }
    return ice.send(packet);
  }

  /** As {@link #sendRtp} for a compound RTCP packet. */
  public boolean sendRtcp(ByteBuf packet) {
    SrtpSession s = srtp;
    if (s == null || closed || s.protectRtcp(packet) != SrtpStatus.OK) {
      packet.release();
      return false;
    }
    return ice.send(packet);
  }

  /** A heap buffer for one outgoing RTP/RTCP packet of {@code length} bytes, with tag room. */
  public ByteBuf allocate(int length) {
    return engine.alloc().heapBuffer(length + 32);
  }

  @Override
  public void onConnected(SrtpKeys keys, PeerCertificate peer) {
    if (closed) {
      return;
    }
    srtp = SrtpSession.create(keys);
    LOG.info("{}: DTLS connected ({}), SRTP {}", label, dtls.role(), keys.profile());
    listener.onConnected(this);
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
