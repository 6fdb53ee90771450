package dev.fanout.ice;

import dev.fanout.ice.stun.StunDecoder;
import dev.fanout.ice.stun.StunFormatException;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.ice.stun.StunScan;
import dev.fanout.rtp.PacketClass;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ICE-lite agent of one peer connection (RFC 8445 §2.5), on the shared media port. It never
 * sends checks: it answers the peer's, learns the peer's addresses from valid ones (peer-reflexive
 * candidates), follows the peer's nomination (USE-CANDIDATE), and expires consent (RFC 7675).
 *
 * <p>Made by {@link IceMux#register}. Threading: its ICE state changes only on the media port's
 * event loop; {@link #send}, {@link #close}, {@link #remoteUfrag} and the getters may be called
 * from any thread.
 */
public final class IceTransport {
  private static final Logger LOG = LoggerFactory.getLogger(IceTransport.class);
  /** Remote addresses remembered per transport; the least recently checked one goes first. */
  static final int MAX_REMOTE_CANDIDATES = 8;

  /** Lifecycle of a transport. */
  public enum State {
    /** Registered; no address nominated yet. */
    NEW,
    /** An address is selected. */
    CONNECTED,
    /** Consent expired or never connected; see {@link IceTransportListener#onFailed}. */
    FAILED,
    /** Closed by its owner. */
    CLOSED;

    boolean terminal() {
      return this == FAILED || this == CLOSED;
    }
  }

  private final IceMux mux;
  private final IceLiteResponder responder;
  private final IceTransportListener listener;
  private final DatagramReceiver receiver;
  private final long createdNanos;

  /** Peer-reflexive remote candidates by address; touched on the port's event loop only. */
  private final Map<InetSocketAddress, RemoteCandidate> remotes = new LinkedHashMap<>();

  private volatile State state = State.NEW;
  private volatile InetSocketAddress selected;
  private volatile InetSocketAddress lastValidated;

  IceTransport(IceMux mux, IceCredentials local, IceTransportListener listener,
      DatagramReceiver receiver, long createdNanos) {
    this.mux = mux;
    this.responder = new IceLiteResponder(local);
    this.listener = listener;
    this.receiver = receiver;
    this.createdNanos = createdNanos;
  }

  /** {@code a=ice-ufrag} of the local description. */
  public String localUfrag() {
    return responder.local().ufrag();
  }

  /** {@code a=ice-pwd} of the local description. */
  public String localPassword() {
    return responder.local().password();
  }

  public IceCredentials localCredentials() {
    return responder.local();
  }

  /**
   * The remote description's {@code a=ice-ufrag}: from now on checks must carry it as the sender
   * part of USERNAME. Optional; the password alone authenticates.
   */
  public void remoteUfrag(String ufrag) {
    responder.remoteUfrag(ufrag);
  }

  public State state() {
    return state;
  }

  /** The nominated remote address, or null before the first nomination. */
  public InetSocketAddress selectedAddress() {
    return selected;
  }

  /**
   * Sends one datagram to the selected address (or, before any nomination, to the address of the
   * latest valid check, so a DTLS reply can go out before USE-CANDIDATE arrives). Takes
   * ownership of {@code datagram} in every case. Returns false, having released it, when there
   * is no address yet or the transport is closed or failed. Thread-safe; see {@link IceMux#write}
   * for when it is flushed.
   */
  public boolean send(ByteBuf datagram) {
    InetSocketAddress to = selected;
    if (to == null) {
      to = lastValidated;
    }
    if (to == null || state.terminal()) {
      datagram.release();
      mux.stats().sendDropped.increment();
      return false;
    }
    mux.write(new DatagramPacket(datagram, to));
    return true;
  }

  /**
   * Unregisters the transport: its ufrag at once, its addresses on the port's event loop; no
   * datagram reaches the receiver afterwards. Idempotent; the listener is not called.
   */
  public void close() {
    if (state.terminal()) {
      return;
    }
    state = State.CLOSED;
    mux.remove(this);
  }

  /**
   * Judges a binding request addressed to our ufrag (the raw message in {@code raw[0, length)},
   * already scanned), updates state and writes the answer into {@code out}. Returns the answer's
   * length, or 0 when it goes unanswered: an error answer over the port's budget, or a valid
   * check from an address another transport is live at.
   */
  int onBindingRequest(byte[] raw, int length, StunScan scan, InetSocketAddress sender, long now,
      byte[] out) {
    // Credentials first, on the raw bytes: only an authentic request is worth a full decode.
    BindingVerdict verdict = responder.authenticate(raw, scan);
    StunMessage request = null;
    if (verdict == null) {
      try {
        request = StunDecoder.decode(raw, 0, length);
      } catch (StunFormatException e) {
        mux.stats().stunMalformed.increment();
        mux.logBadInput("malformed STUN from {}: {}", sender, e.getMessage());
        return 0;
      }
      verdict = responder.judge(request);
    }
    mux.stats().count(verdict);
    if (verdict == BindingVerdict.UNAUTHORIZED) {
      mux.authenticationFailed(sender, now);
    }
    if (verdict != BindingVerdict.SUCCESS) {
      mux.logBadInput("binding request from {}: {}", sender, verdict);
      if (!mux.mayAnswerWithError(now)) {
        return 0;
      }
      return request == null
          ? responder.writeRejection(raw, verdict, out)
          : responder.writeResponse(request, verdict, sender, out);
    }
    if (!state.terminal()) {
      if (!learn(sender, request.priority(), now)) {
        return 0; // another transport is live at sender: no answer, no state change
      }
      if (request.useCandidate()) {
        nominate(sender);
      }
    }
    return responder.writeResponse(request, verdict, sender, out);
  }

  /** Remembers {@code sender} as validated; false when another transport keeps it. */
  private boolean learn(InetSocketAddress sender, long priority, long now) {
    RemoteCandidate remote = remotes.get(sender);
    if (remote == null) {
      if (!mux.claimAddress(sender, this, now)) {
        return false;
      }
      if (remotes.size() >= MAX_REMOTE_CANDIDATES) {
        evictOldestUnselected();
      }
      remote = new RemoteCandidate();
      remotes.put(sender, remote);
      LOG.debug("ICE {}: peer-reflexive candidate {} priority {}", localUfrag(), sender, priority);
    }
    remote.lastCheckNanos = now;
    lastValidated = sender;
    return true;
  }

  /**
   * Whether this transport is live at {@code address}: open, and its last valid check from there
   * is younger than {@code holdNanos}. Port loop only.
   */
  boolean isLiveAt(InetSocketAddress address, long now, long holdNanos) {
    if (state.terminal()) {
      return false;
    }
    RemoteCandidate remote = remotes.get(address);
    return remote != null && now - remote.lastCheckNanos < holdNanos;
  }

  private void evictOldestUnselected() {
    InetSocketAddress oldest = null;
    long oldestTime = 0;
    for (Map.Entry<InetSocketAddress, RemoteCandidate> e : remotes.entrySet()) {
      if (e.getKey().equals(selected)) {
        continue;
      }
      if (oldest == null || e.getValue().lastCheckNanos - oldestTime < 0) {
        oldest = e.getKey();
        oldestTime = e.getValue().lastCheckNanos;
      }
    }
    if (oldest != null) {
      forget(oldest);
    }
  }

  private void nominate(InetSocketAddress sender) {
    InetSocketAddress previous = selected;
    if (sender.equals(previous)) {
      return;
    }
    selected = sender;
    state = State.CONNECTED;
    mux.stats().selectedChanges.increment();
    if (previous == null) {
      LOG.info("ICE {}: connected, selected {}", localUfrag(), sender);
    } else {
      LOG.info("ICE {}: peer nominated a new address, selected {} (was {})", localUfrag(), sender, previous);
    }
    try {
      listener.onSelectedAddressChanged(previous, sender);
    } catch (RuntimeException e) {
      LOG.warn("ICE {}: listener failed", localUfrag(), e);
    }
  }

  /** Hands a DTLS or RTP/RTCP datagram from a validated address to the receiver, which owns it. */
  void deliver(PacketClass cls, ByteBuf datagram, InetSocketAddress sender) {
    receiver.onDatagram(cls, datagram, sender);
  }

  /**
   * Runs the timers (on the port's event loop): consent of the selected address, connect
   * timeout, and expiry of other remote addresses that stopped sending checks.
   */
  void checkTimeouts(long now, long consentTimeoutNanos, long connectTimeoutNanos) {
    if (state.terminal()) {
      return;
    }
    InetSocketAddress sel = selected;
    if (sel == null) {
      if (now - createdNanos > connectTimeoutNanos) {
        mux.stats().connectTimeouts.increment();
        fail(IceFailure.CONNECT_TIMEOUT);
        return;
      }
    } else {
      RemoteCandidate remote = remotes.get(sel);
      if (remote == null || now - remote.lastCheckNanos > consentTimeoutNanos) {
        mux.stats().consentExpired.increment();
        fail(IceFailure.CONSENT_EXPIRED);
        return;
      }
    }
    List<InetSocketAddress> stale = new ArrayList<>(0);
    for (Map.Entry<InetSocketAddress, RemoteCandidate> e : remotes.entrySet()) {
      if (!e.getKey().equals(sel) && now - e.getValue().lastCheckNanos > consentTimeoutNanos) {
        stale.add(e.getKey());
      }
    }
    stale.forEach(this::forget);
  }

  /** Fails the transport (on the port's event loop) and tells the owner. */
  void fail(IceFailure reason) {
    if (state.terminal()) {
      return;
    }
    state = State.FAILED;
    LOG.info("ICE {}: failed ({}), selected was {}", localUfrag(), reason, selected);
    mux.remove(this);
    try {
      listener.onFailed(this, reason);
    } catch (RuntimeException e) {
      LOG.warn("ICE {}: listener failed", localUfrag(), e);
    }
  }

  /** Drops a remote address (on the port's event loop), e.g. when another transport claimed it. */
  void forget(InetSocketAddress address) {
    if (remotes.remove(address) != null) {
      mux.releaseAddress(address, this);
    }
    if (address.equals(lastValidated)) {
      lastValidated = selected;
    }
  }

  /** Releases every remote address (on the port's event loop) once closed or failed. */
  void releaseAddresses() {
    for (Iterator<InetSocketAddress> it = remotes.keySet().iterator(); it.hasNext(); ) {
      mux.releaseAddress(it.next(), this);
      it.remove();
    }
  }

  @Override
  public String toString() {
    return "IceTransport{ufrag=" + localUfrag() + ", state=" + state + ", selected=" + selected + "}";
  }

  private static final class RemoteCandidate {
    long lastCheckNanos;
  }
}
