package dev.fanout.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS association with one peer (one ICE transport), in either role, bridging Netty's push
 * of datagrams to Bouncy Castle's pull.
 *
 * <h2>Life cycle</h2>
 *
 * <ol>
 *   <li>{@link DtlsStack#newConnection}{@code (role)…open()}. A client starts its handshake at
 *       once; a server waits for a ClientHello.
 *   <li>Feed every DTLS datagram (first byte 20–63, RFC 7983) from the peer's ICE-validated
 *       address to {@link #onDatagram}. Outgoing datagrams go to the {@link DatagramSender}.
 *   <li>The {@link DtlsListener} hears {@code onConnected(keys, peerCertificate)}, then any
 *       {@code onApplicationData}, then exactly one of {@code onClosed} / {@code onFailed}.
 *   <li>{@link #close()} sends close_notify (when connected) and releases everything.
 * </ol>
 *
 * <h2>Threads</h2>
 *
 * {@link #onDatagram} never blocks: during the handshake it only queues the datagram (bounded,
 * extra ones are dropped) for the handshake thread, which the stack gives every admitted
 * handshake at once (no queue: see {@link DtlsStack}) and which returns to the stack's idle
 * threads when the handshake ends; after the handshake it decrypts the records right there,
 * with nothing waiting in Bouncy Castle, so no thread is held by an established association.
 * Retransmission timers (RFC 6347 §4.2.4) run inside the handshake thread's receive waits, and
 * the retransmission of our last flight after the handshake is driven by the peer's
 * retransmission arriving in {@link #onDatagram}. Listener calls run on the listener executor.
 * All methods are thread-safe.
 */
public final class DtlsConnection {
  private static final Logger log = LoggerFactory.getLogger(DtlsConnection.class);
  /** Most bytes queued for the handshake thread; a second bound next to the datagram count. */
  private static final int MAX_QUEUED_BYTES = 64 * 1024;

  private enum State {
    /** Server role, before the first ClientHello: no thread, nothing queued. */
    AWAITING_CLIENT_HELLO,
    /** A handshake thread owns Bouncy Castle; datagrams are queued for it. */
    HANDSHAKING,
    /** Records are processed on the thread that delivers them. */
    CONNECTED,
    /** Closed or failed: everything is dropped. */
    CLOSED
  }

  private final DtlsStack stack;
  private final DtlsRole role;
  private final String label;
  private final DatagramSender sender;
  private final DtlsListener listener;
  private final SerialDispatcher events;
  private final Negotiation negotiation;
  private final Bridge bridge = new Bridge();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition datagramQueued = lock.newCondition();
  // guarded by lock
  private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
  private int inboundBytes;
  /** Handshake records held back until Bouncy Castle can use them; see {@link #enqueueLocked}. */
  private final ArrayDeque<byte[]> held = new ArrayDeque<>();
  /** Server: which of the client's Certificate, ClientKeyExchange, CertificateVerify were queued. */
  private int clientFlightSeen;
  private boolean changeCipherSpecSeen;
  private State state;
  private long deadlineNanos;
  /**
   * Since when the peer has had its turn and said nothing: the last datagram from it, or the
   * moment Bouncy Castle finished with the last one we handed it (our answer is out then).
   */
  private long quietSinceNanos;
  /** A datagram was handed to Bouncy Castle since its last wait. */
  private boolean handedOut = true;
  /**
   * The peer has answered our first flight: as the server, it sent something other than a
   * ClientHello; as the client, it sent anything. Until then the silence timeout applies.
   */
  private boolean peerAnswered;
  /** Why the stack took this handshake's slot for a newer one; null unless evicted. */
  private String evictedBecause;
  /** When the handshake started; set once, before the stack admits it. */
  private volatile long handshakeStartNanos;
  private DTLSTransport transport;
  /** Receives decrypted application data; as long as the longest datagram seen. */
  private byte[] plaintext = new byte[0];
  private boolean clientHelloLogged;

  private DtlsConnection(Builder b) {
    this.stack = b.stack;
    this.role = b.role;
    this.label = b.label != null ? b.label : stack.nextLabel();
    this.sender = b.sender;
    this.listener = b.listener;
    this.events = new SerialDispatcher(b.listenerExecutor, label);
    this.negotiation = new Negotiation(
        role, label, b.remoteFingerprints, stack.config().srtpProfiles(), stack.stats());
    this.state = role == DtlsRole.SERVER ? State.AWAITING_CLIENT_HELLO : State.HANDSHAKING;
  }

  public DtlsRole role() {
    return role;
  }

  /** The name used in logs. */
  public String label() {
    return label;
  }

  /** Whether the handshake completed and the association is open. */
  public boolean isConnected() {
    lock.lock();
    try {
      return state == State.CONNECTED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands one received DTLS datagram to the connection. Reads the buffer's readable bytes; does
   * not retain or release it (the caller still owns it). Never blocks; call it from the event
   * loop that received the datagram.
   */
  public void onDatagram(ByteBuf datagram) {
    int length = datagram.readableBytes();
    if (length > DtlsRecords.MAX_RECORD) {
      drop("oversized datagram");
      return;
    }
    byte[] copy = new byte[length];
    datagram.getBytes(datagram.readerIndex(), copy);
    receive(copy);
  }

  /** As {@link #onDatagram(ByteBuf)}, from an array slice (copied). */
  public void onDatagram(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    if (length > DtlsRecords.MAX_RECORD) {
      drop("oversized datagram");
      return;
    }
    receive(Arrays.copyOfRange(data, offset, offset + length));
  }

  /**
   * Sends application data (one DTLS record) to the peer.
   *
   * @return false when the connection is not (or no longer) established
   * @throws IllegalArgumentException when the data does not fit one record within the MTU
   */
  public boolean send(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    lock.lock();
    try {
      if (state != State.CONNECTED) {
        return false;
      }
      try {
        int limit = transport.getSendLimit();
        if (length > limit) {
          throw new IllegalArgumentException(
              length + " bytes exceed the " + limit + "-byte DTLS record limit");
        }
        transport.send(data, offset, length);
        return true;
      } catch (IOException e) {
        failLocked(new DtlsFailure(DtlsFailure.Reason.INTERNAL, "send failed: " + e));
        return false;
      }
    } finally {
      lock.unlock();
      events.flush();
    }
  }

  /**
   * Closes the association: sends close_notify when established, stops a handshake in progress,
   * and reports {@code onClosed(false)} unless the connection already ended. The sender is not
   * called after this returns. Idempotent.
   */
  public void close() {
    lock.lock();
    try {
      if (state == State.CLOSED) {
        return;
      }
      if (state == State.CONNECTED) {
        try {
          transport.close(); // close_notify through bridge.send
        } catch (IOException e) {
          log.debug("{}: close_notify not sent", label, e);
        }
      }
      enterClosedLocked();
      events.enqueue(() -> listener.onClosed(false));
      log.debug("{}: closed locally", label);
    } finally {
      lock.unlock();
      events.flush();
    }
  }

  @Override
  public String toString() {
    return "DtlsConnection[" + label + ", " + role + "]";
  }

  // ---- receiving

  private void receive(byte[] d) {
    boolean startHandshake = false;
    lock.lock();
    try {
      if (!DtlsRecords.startsWithRecord(d)) {
        drop("not a DTLS record");
        return;
      }
      switch (state) {
        case AWAITING_CLIENT_HELLO -> {
          if (!DtlsRecords.isClientHello(d)) {
            drop("no handshake yet and not a ClientHello");
            return;
          }
          enqueueLocked(d);
          state = State.HANDSHAKING;
          startHandshake = true;
        }
        case HANDSHAKING -> enqueueLocked(d);
        case CONNECTED -> {
          if (DtlsRecords.isClientHello(d)) {
            // A new handshake on an established association is either an attack or a peer that
            // lost its state; WebRTC restarts through signaling, so we keep the association.
            stack.stats().clientHellosIgnored.increment();
            if (!clientHelloLogged) {
              clientHelloLogged = true;
              log.info("{}: ignoring a ClientHello on the established DTLS association", label);
            }
            return;
          }
          if (!DtlsRecords.recordsAcceptableAfterHandshake(d)) {
            drop("malformed record after the handshake");
            return;
          }
          enqueueLocked(d);
          processRecordsLocked();
        }
        case CLOSED -> drop("connection closed");
      }
    } finally {
      lock.unlock();
    }
    if (startHandshake) {
      startHandshake();
    }
    events.flush();
  }

  /**
   * Queues a datagram for Bouncy Castle. During the handshake it also repairs reordering that
   * Bouncy Castle does not survive: it switches its read epoch as soon as it sees a
   * ChangeCipherSpec, even when a handshake message of the same flight is still missing, and then
   * discards that message's retransmissions (they are in the old epoch) until the handshake times
   * out; and a ChangeCipherSpec that arrives before the ClientKeyExchange was processed is
   * ignored, which costs a retransmission round. So, as the server, we hold the client's
   * ChangeCipherSpec and protected records back until its Certificate, ClientKeyExchange and
   * CertificateVerify (a certificate is mandatory here) have been queued; and in both roles we
   * hold protected records back until a ChangeCipherSpec has been queued, since they are dropped
   * before it.
   */
  private void enqueueLocked(byte[] d) {
    if (inbound.size() + held.size() >= stack.config().maxQueuedDatagrams()
        || inboundBytes + d.length > MAX_QUEUED_BYTES) {
      drop("receive queue full");
      return;
    }
    inboundBytes += d.length;
    if (state == State.HANDSHAKING) {
      quietSinceNanos = System.nanoTime(); // the peer is speaking
      peerAnswered |= role == DtlsRole.CLIENT || !DtlsRecords.isClientHello(d);
    }
    if (plaintext.length < d.length) {
      // A record's plaintext is never longer than the datagram that carried it.
      plaintext = new byte[d.length];
    }
    if (state == State.HANDSHAKING) {
      int flags = DtlsRecords.scan(d);
      clientFlightSeen |= flags & DtlsRecords.CLIENT_FLIGHT_BEFORE_CCS;
      boolean waitForVerify = !clientFlightQueued();
      boolean startsCcs = (d[0] & 0xFF) == DtlsRecords.CONTENT_CHANGE_CIPHER_SPEC;
      if ((waitForVerify && (startsCcs || (flags & DtlsRecords.STARTS_PROTECTED) != 0))
          || (!changeCipherSpecSeen && (flags & DtlsRecords.STARTS_PROTECTED) != 0)) {
        held.add(d);
        return;
      }
      inbound.add(d);
      if ((flags & DtlsRecords.HAS_CHANGE_CIPHER_SPEC) != 0) {
        changeCipherSpecSeen = true;
      }
      releaseHeldLocked();
    } else {
      inbound.add(d);
    }
    datagramQueued.signal();
  }

  private boolean clientFlightQueued() {
    return role == DtlsRole.CLIENT
        || clientFlightSeen == DtlsRecords.CLIENT_FLIGHT_BEFORE_CCS;
  }

  /** Moves held datagrams that may now be used to the queue: ChangeCipherSpec first. */
  private void releaseHeldLocked() {
    if (held.isEmpty() || !clientFlightQueued()) {
      return;
    }
    for (var it = held.iterator(); it.hasNext(); ) {
      byte[] h = it.next();
      if ((h[0] & 0xFF) == DtlsRecords.CONTENT_CHANGE_CIPHER_SPEC) {
        inbound.add(h);
        changeCipherSpecSeen = true;
        it.remove();
      }
    }
    if (changeCipherSpecSeen) {
      inbound.addAll(held);
      held.clear();
    }
  }

  private byte[] pollLocked() {
    byte[] d = inbound.poll();
    if (d != null) {
      inboundBytes -= d.length;
    }
    return d;
  }

  /**
   * Feeds queued datagrams to Bouncy Castle without waiting: the established-association path.
   * Bouncy Castle keeps asking for datagrams until a call returns application data; it checks the
   * records it still holds (several records in one datagram) before asking us, so we loop until
   * it asks for one we do not have.
   */
  private void processRecordsLocked() {
    while (state == State.CONNECTED) {
      int n;
      try {
        n = transport.receive(plaintext, 0, plaintext.length, 0);
      } catch (WouldBlock e) {
        n = -2;
      } catch (TlsFatalAlertReceived e) {
        failLocked(new DtlsFailure(DtlsFailure.Reason.ALERT_RECEIVED,
            "peer sent fatal alert " + AlertDescription.getText(e.getAlertDescription())));
        return;
      } catch (TlsFatalAlert e) {
        failLocked(new DtlsFailure(DtlsFailure.Reason.PROTOCOL_ERROR,
            "sent fatal alert " + AlertDescription.getText(e.getAlertDescription()) + ": "
                + e.getMessage()));
        return;
      } catch (IOException | RuntimeException e) {
        failLocked(new DtlsFailure(DtlsFailure.Reason.INTERNAL, "record processing failed: " + e));
        return;
      }
      if (n >= 0) {
        byte[] data = Arrays.copyOf(plaintext, n);
        events.enqueue(() -> listener.onApplicationData(data));
      }
      if (bridge.closedByProtocol) {
        // Bouncy Castle closed its transport after a close_notify from the peer (and answered
        // with its own, RFC 5246 §7.2.1).
        enterClosedLocked();
        events.enqueue(() -> listener.onClosed(true));
        log.debug("{}: closed by peer", label);
        return;
      }
      if (n == -2) {
        return;
      }
    }
  }

  private void drop(String why) {
    stack.stats().datagramsDropped.increment();
    log.trace("{}: dropped a datagram: {}", label, why);
  }

  // ---- handshake

  private void startHandshake() {
    DtlsStats stats = stack.stats();
    DtlsConfig config = stack.config();
    long now = System.nanoTime();
    lock.lock();
    try {
      deadlineNanos = now + config.handshakeTimeout().toNanos();
      quietSinceNanos = now;
    } finally {
      lock.unlock();
    }
    handshakeStartNanos = now;
    stats.handshakesStarted.increment();
    if (!stack.admit(this, now)) {
      stats.overloadRejections.increment();
      finishHandshake(null, new DtlsFailure(DtlsFailure.Reason.OVERLOADED,
          "all " + config.maxHandshakes() + " handshake slots taken by handshakes younger than "
              + describe(DtlsStack.EVICTABLE_AGE)));
      return;
    }
    stats.handshakesInProgress.incrementAndGet();
    try {
      stack.handshakeExecutor().execute(this::runHandshake);
    } catch (RejectedExecutionException e) {
      stack.release(this);
      stats.handshakesInProgress.decrementAndGet();
      finishHandshake(null,
          new DtlsFailure(DtlsFailure.Reason.INTERNAL, "DTLS stack is shut down"));
    }
  }

  /** When the handshake started (admission order), for the stack's choice of whom to evict. */
  long handshakeStartNanos() {
    return handshakeStartNanos;
  }

  /**
   * Ends the handshake because the stack gave its slot to a newer one: a handshake thread waiting
   * for the peer wakes and fails with {@link DtlsFailure.Reason#OVERLOADED}. False when the
   * handshake had already ended.
   */
  boolean evict(String why) {
    lock.lock();
    try {
      if (state != State.HANDSHAKING || evictedBecause != null) {
        return false;
      }
      evictedBecause = why;
      datagramQueued.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void runHandshake() {
    DTLSTransport established = null;
    DtlsFailure failure = null;
    try {
      if (!stillHandshaking()) {
        return;
      }
      int timeout = (int) Math.min(Integer.MAX_VALUE,
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos() - System.nanoTime())));
      if (role == DtlsRole.SERVER) {
        DTLSServerProtocol protocol = new DTLSServerProtocol();
        // ICE connectivity checks already proved the peer owns its address; a cookie exchange
        // (RFC 6347 §4.2.1) would only add a round trip.
        protocol.setVerifyRequests(false);
        established = protocol.accept(new SrtpTlsServer(stack, negotiation, timeout), bridge);
      } else {
        established = new DTLSClientProtocol()
            .connect(new SrtpTlsClient(stack, negotiation, timeout), bridge);
      }
    } catch (Exception e) {
      failure = classify(e);
    } finally {
      stack.release(this);
      stack.stats().handshakesInProgress.decrementAndGet();
      finishHandshake(established, failure);
    }
  }

  private void finishHandshake(DTLSTransport established, DtlsFailure failure) {
    DtlsStats stats = stack.stats();
    lock.lock();
    try {
      if (state != State.HANDSHAKING) {
        // closed while the handshake ran: close() already reported it
        if (established != null) {
          closeQuietly(established);
        }
        return;
      }
      if (failure == null && established == null) {
        failure = new DtlsFailure(DtlsFailure.Reason.INTERNAL, "handshake ended without result");
      }
      if (failure != null) {
        stats.handshakesFailed.increment();
        if (failure.reason() == DtlsFailure.Reason.HANDSHAKE_TIMEOUT) {
          stats.handshakeTimeouts.increment();
        }
        log.warn("{}: DTLS handshake as {} failed: {}", label, role, failure);
        failLocked(failure);
        return;
      }
      stats.handshakesCompleted.increment();
      transport = established;
      state = State.CONNECTED;
      inbound.addAll(held);
      held.clear();
      var keys = negotiation.keys();
      var peer = negotiation.peer();
      log.debug("{}: DTLS connected as {}, {}, peer {}", label, role, keys.profile(), peer.sha256());
      events.enqueue(() -> listener.onConnected(keys, peer));
      // Records that arrived while the handshake thread was finishing (application data sent
      // right after the peer's Finished, a retransmitted final flight) are processed here.
      processRecordsLocked();
    } finally {
      lock.unlock();
      events.flush();
    }
  }

  private DtlsFailure classify(Exception e) {
    String evicted = evictedBecause();
    if (evicted != null) {
      return new DtlsFailure(DtlsFailure.Reason.OVERLOADED, evicted);
    }
    DtlsFailure own = negotiation.failure();
    if (own != null) {
      return own;
    }
    if (e instanceof SilentPeer) {
      return new DtlsFailure(DtlsFailure.Reason.HANDSHAKE_TIMEOUT,
          "the peer sent nothing for " + describe(stack.config().silenceTimeout()) + " after our "
              + (role == DtlsRole.SERVER ? "answer to its ClientHello" : "ClientHello"));
    }
    if (e instanceof TlsTimeoutException) {
      return new DtlsFailure(DtlsFailure.Reason.HANDSHAKE_TIMEOUT,
          "no DTLS handshake within " + describe(stack.config().handshakeTimeout()) + " ("
              + e.getMessage() + ")");
    }
    if (e instanceof TlsFatalAlertReceived r) {
      return new DtlsFailure(DtlsFailure.Reason.ALERT_RECEIVED,
          "peer sent fatal alert " + AlertDescription.getText(r.getAlertDescription()));
    }
    if (e instanceof TlsFatalAlert a) {
      return new DtlsFailure(DtlsFailure.Reason.PROTOCOL_ERROR,
          "sent fatal alert " + AlertDescription.getText(a.getAlertDescription())
              + (a.getMessage() == null ? "" : ": " + a.getMessage()));
    }
    if (e instanceof InterruptedIOException && stack.handshakeExecutorShutdown()) {
      return new DtlsFailure(DtlsFailure.Reason.INTERNAL, "DTLS stack shut down");
    }
    log.debug("{}: unexpected handshake failure", label, e);
    return new DtlsFailure(DtlsFailure.Reason.INTERNAL, e.toString());
  }

  private static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private long deadlineNanos() {
    lock.lock();
    try {
      return deadlineNanos;
    } finally {
      lock.unlock();
    }
  }

  private String evictedBecause() {
    lock.lock();
    try {
      return evictedBecause;
    } finally {
      lock.unlock();
    }
  }

  private boolean stillHandshaking() {
    lock.lock();
    try {
      return state == State.HANDSHAKING;
    } finally {
      lock.unlock();
    }
  }

  // ---- ending

  private void failLocked(DtlsFailure failure) {
    if (state == State.CONNECTED) {
      log.warn("{}: DTLS association failed: {}", label, failure);
    }
    enterClosedLocked();
    events.enqueue(() -> listener.onFailed(failure));
  }

  private void enterClosedLocked() {
    state = State.CLOSED;
    inbound.clear();
    held.clear();
    inboundBytes = 0;
    plaintext = new byte[0];
    datagramQueued.signalAll(); // wakes a handshake thread, which then gives up
  }

  private static void closeQuietly(DTLSTransport t) {
    try {
      t.close();
    } catch (IOException e) {
      // nothing to do: the association is being discarded
    }
  }

  /** Thrown into Bouncy Castle's receive loop to make it return when no datagram is queued. */
  private static final class WouldBlock extends InterruptedIOException {
    private static final long serialVersionUID = 1L;
    static final WouldBlock INSTANCE = new WouldBlock();

    private WouldBlock() {
      super("no datagram queued");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // preallocated and control flow only: no stack trace
    }
  }

  /** Thrown into Bouncy Castle's handshake when the peer has been silent too long. */
  private static final class SilentPeer extends TlsTimeoutException {
    private static final long serialVersionUID = 1L;

    SilentPeer() {
      super("peer silent");
    }
  }

  /** Thrown into Bouncy Castle's handshake when the stack evicted it. */
  private static final class Evicted extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    Evicted() {
      super("handshake evicted for a newer one");
    }
  }

  /** The {@link DatagramTransport} Bouncy Castle reads from and writes to. */
  private final class Bridge implements DatagramTransport {
    /** Set when Bouncy Castle closes the transport (close_notify received, or failure). */
    volatile boolean closedByProtocol;

    @Override
    public int getReceiveLimit() {
      return DtlsRecords.MAX_RECORD;
    }

    @Override
    public int getSendLimit() {
      return stack.config().mtu();
    }

    /**
     * During the handshake: waits up to {@code waitMillis} (Bouncy Castle's retransmission timer;
     * 0 means no timer) for a datagram, never past the handshake deadline nor past the silence
     * timeout (counted from the later of the peer's last datagram and the end of Bouncy Castle's
     * work on it), and gives up at once when evicted. Afterwards: returns a queued datagram or
     * throws {@link WouldBlock} at once.
     */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      lock.lock();
      try {
        if (state == State.CONNECTED) {
          byte[] d = pollLocked();
          if (d == null) {
            throw WouldBlock.INSTANCE;
          }
          return copyOut(d, buf, off, len);
        }
        long waitNanos = waitMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(waitMillis) : Long.MAX_VALUE;
        long start = System.nanoTime();
        if (handedOut) {
          // Bouncy Castle is done with what the peer sent (and has answered): the peer's turn.
          handedOut = false;
          quietSinceNanos = start;
        }
        long silence = stack.config().silenceTimeout().toNanos();
        while (inbound.isEmpty() || evictedBecause != null) {
          if (state != State.HANDSHAKING) {
            throw new InterruptedIOException("connection closed during the handshake");
          }
          if (evictedBecause != null) {
            throw new Evicted();
          }
          long now = System.nanoTime();
          long toDeadline = deadlineNanos - now;
          if (toDeadline <= 0) {
            throw new TlsTimeoutException("deadline passed while waiting for the peer");
          }
          long toSilence = peerAnswered ? Long.MAX_VALUE : quietSinceNanos + silence - now;
          if (toSilence <= 0) {
            throw new SilentPeer();
          }
          long toTimer = waitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : waitNanos - (now - start);
          if (toTimer <= 0) {
            return -1; // retransmission timer expired
          }
          try {
            datagramQueued.awaitNanos(Math.min(Math.min(toDeadline, toSilence), toTimer));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("handshake thread interrupted");
          }
        }
        handedOut = true;
        return copyOut(pollLocked(), buf, off, len);
      } finally {
        lock.unlock();
      }
    }

    private int copyOut(byte[] d, byte[] buf, int off, int len) {
      int n = Math.min(d.length, len); // a truncated record fails its length check and is dropped
      System.arraycopy(d, 0, buf, off, n);
      return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
      lock.lock();
      try {
        if (state == State.CLOSED) {
          return;
        }
        sender.send(Unpooled.wrappedBuffer(Arrays.copyOfRange(buf, off, off + len)));
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      closedByProtocol = true;
    }
  }

  /** Describes a connection; see {@link DtlsStack#newConnection}. */
  public static final class Builder {
    private final DtlsStack stack;
    private final DtlsRole role;
    private List<Fingerprint> remoteFingerprints;
    private DatagramSender sender;
    private DtlsListener listener;
    private Executor listenerExecutor;
    private String label;

    Builder(DtlsStack stack, DtlsRole role) {
      this.stack = stack;
      this.role = role;
    }

    /**
     * The fingerprints from the peer's SDP ({@code a=fingerprint}, session or media level).
     * The peer's certificate must match one of them. Required.
     */
    public Builder remoteFingerprints(List<Fingerprint> fingerprints) {
      if (fingerprints.isEmpty()) {
        throw new IllegalArgumentException("at least one remote fingerprint is required");
      }
      this.remoteFingerprints = List.copyOf(fingerprints);
      return this;
    }

    /** As {@link #remoteFingerprints(List)} with one fingerprint. */
    public Builder remoteFingerprint(Fingerprint fingerprint) {
      return remoteFingerprints(List.of(fingerprint));
    }

    /** Where outgoing datagrams go. Required. */
    public Builder sender(DatagramSender sender) {
      this.sender = Objects.requireNonNull(sender);
      return this;
    }

    /**
     * Who hears the outcome, and on which executor (typically the event loop of the room the
     * connection belongs to). Required.
     */
    public Builder listener(DtlsListener listener, Executor executor) {
      this.listener = Objects.requireNonNull(listener);
      this.listenerExecutor = Objects.requireNonNull(executor);
      return this;
    }

    /** A name for logs, e.g. {@code room/participant/publish}. Defaults to {@code dtls-<n>}. */
    public Builder label(String label) {
      this.label = label;
      return this;
    }

    /**
     * Creates the connection. A client starts its handshake (sends its ClientHello) before this
     * returns; a server waits for the peer's ClientHello.
     */
    public DtlsConnection open() {
      if (remoteFingerprints == null || sender == null || listener == null) {
        throw new IllegalStateException("remoteFingerprints, sender and listener are required");
      }
      DtlsConnection c = new DtlsConnection(this);
      if (role == DtlsRole.CLIENT) {
        c.startHandshake();
      }
      return c;
    }
  }
}
