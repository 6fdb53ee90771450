package dev.fanout.ice;

import dev.fanout.ice.net.DatagramDispatcher;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunDecoder;
import dev.fanout.ice.stun.StunScan;
import dev.fanout.rtp.PacketClass;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demultiplexes the shared media port among the registered {@link IceTransport}s, like
 * mediasoup's and LiveKit's UDP mux:
 *
 * <pre>
 *   datagram --(RFC 7983 class)--+-- STUN --------> structural scan, no decoding (StunScan)
 *                                |                   -> transport by ufrag (USERNAME before ':')
 *                                |                   -> MESSAGE-INTEGRITY on the raw bytes
 *                                |                   -> only now a full decode; answer the check,
 *                                |                      learn the address (a live owner keeps it)
 *                                +-- DTLS, RTP/RTCP -> transport by remote address, but only an
 *                                                     address that passed that transport's check;
 *                                                     any other address: dropped and counted
 * </pre>
 *
 * <p>What junk costs: a datagram that is not a binding request for a registered ufrag costs a
 * copy and a walk over its attribute headers; one that names a registered ufrag but fails
 * MESSAGE-INTEGRITY costs one HMAC more. Neither is decoded, and error answers to all of them
 * together are limited to {@link Config#errorRepliesPerSecond} (the port must not be a
 * reflector).
 *
 * <p>Who owns a remote address: the transport whose check validated it. Another transport's
 * valid check from the same address (its own credentials, a spoofed source) takes it only once
 * the owner is no longer live there: no valid check of the owner from that address for
 * {@link Config#addressHold} (RFC 7675 consent checks come every few seconds). Until then the
 * claim is refused and not answered. The owner's own client moving to a new address (NAT
 * rebinding) claims a new address, which nobody holds, at once.
 *
 * Give it to {@link dev.fanout.ice.net.MediaPort#bind} as the dispatcher, then register one
 * transport per peer connection.
 *
 * <p>Threading: {@link #dispatch} and every ICE state change run on the port channel's event loop
 * (one thread), so the address table needs no lock. {@link #register} and
 * {@link IceTransport#close} may be called from any thread: the ufrag table is concurrent, and
 * address clean-up hops to the port's loop. Listeners and receivers are called on the port's
 * loop.
 *
 * <p>Ownership: STUN datagrams end here (released after decoding). A DTLS or RTP/RTCP datagram
 * is either released here (dropped) or handed to exactly one {@link DatagramReceiver}, which then
 * owns it.
 */
public final class IceMux implements DatagramDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(IceMux.class);
  private static final long TICK_MILLIS = 1000;
  private static final int REGISTER_ATTEMPTS = 16;
  /**
   * Failed authentications a second after which a source's binding requests are dropped before
   * the HMAC. A real agent fails at most a few checks (a stale password after a restart); a flood
   * from one address stops costing a verification each.
   */
  static final int FAILED_CHECKS_PER_SECOND = 20;
  private static final int FAILED_CHECK_SLOTS = 4096;

  /**
   * Timeouts and limits of the transports of one port.
   *
   * @param consentTimeout a transport whose selected address sent no valid check for this long
   *     fails (RFC 7675)
   * @param connectTimeout a transport with no nomination this long after registration fails
   * @param addressHold a transport keeps a remote address against other transports' claims while
   *     its last valid check from there is younger than this (capped at the consent timeout)
   * @param errorRepliesPerSecond error answers to binding requests the port sends per second, in
   *     all (the same number may go out at once after a quiet second); the rest go unanswered
   */
  public record Config(Duration consentTimeout, Duration connectTimeout, Duration addressHold,
      int errorRepliesPerSecond) {
    /** Default address hold: three missed 5 s consent checks in a row. */
    public static final Duration DEFAULT_ADDRESS_HOLD = Duration.ofSeconds(15);
    public static final int DEFAULT_ERROR_REPLIES_PER_SECOND = 100;

    public Config {
      if (consentTimeout.isNegative() || consentTimeout.isZero() || connectTimeout.isNegative()
          || connectTimeout.isZero() || addressHold.isNegative() || errorRepliesPerSecond < 1) {
        throw new IllegalArgumentException("ICE timeouts must be positive, the error reply rate at least 1");
      }
    }

    /** The given timeouts, the default address hold and error reply rate. */
    public Config(Duration consentTimeout, Duration connectTimeout) {
      this(consentTimeout, connectTimeout, DEFAULT_ADDRESS_HOLD, DEFAULT_ERROR_REPLIES_PER_SECOND);
    }

    /** RFC 7675's 30 s consent timeout; 30 s to get a nomination after registration. */
    public static Config defaults() {
      return new Config(Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    long addressHoldNanos() {
      return Math.min(addressHold.toNanos(), consentTimeout.toNanos());
    }
  }

  private final Config config;
  private final LongSupplier nanoClock;
  private final SecureRandom random;
  private final IceStats stats = new IceStats();
  private final RateLimitedLog badInput = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(1));
  private final RateLimitedLog claims = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(1));
  private final Map<UfragKey, IceTransport> byUfrag = new ConcurrentHashMap<>();
  /** Validated remote addresses; port event loop only. */
  private final Map<InetSocketAddress, IceTransport> byAddress = new HashMap<>();
  // Port event loop only: the received request, its scan, the probe into the ufrag table, the
  // response, and the budget of error answers.
  private final byte[] requestScratch = new byte[StunDecoder.MAX_MESSAGE_LENGTH];
  private final StunScan scan = new StunScan();
  private final UfragKey probe = UfragKey.probe();
  private final byte[] responseScratch = new byte[512];
  private final Printable printable = new Printable();
  private final TokenBucket errorReplies;
  private final FailedChecks failedChecks = new FailedChecks(FAILED_CHECK_SLOTS, FAILED_CHECKS_PER_SECOND);
  private final long addressHoldNanos;

  private volatile Channel channel;
  /** Port loop only: a flush of what {@link #write} wrote is queued. */
  private boolean flushQueued;
  private final Runnable flush = () -> {
    flushQueued = false;
    channel.flush();
  };
  private ScheduledFuture<?> tick;

  /** Default timeouts, the system clock and a fresh {@link SecureRandom}. */
  public IceMux() {
    this(Config.defaults(), System::nanoTime, new SecureRandom());
  }

  /**
   * @param nanoClock monotonic time in nanoseconds, {@link System#nanoTime} outside tests
   * @param random source of generated credentials
   */
  public IceMux(Config config, LongSupplier nanoClock, SecureRandom random) {
    this.config = Objects.requireNonNull(config);
    this.nanoClock = Objects.requireNonNull(nanoClock);
    this.random = Objects.requireNonNull(random);
    this.errorReplies = new TokenBucket(config.errorRepliesPerSecond(), config.errorRepliesPerSecond());
    this.addressHoldNanos = config.addressHoldNanos();
  }

  @Override
  public void attach(Channel channel) {
    if (this.channel != null) {
      throw new IllegalStateException("already attached to a port");
    }
    this.channel = channel;
    tick = channel.eventLoop().scheduleAtFixedRate(
        this::checkTimeouts, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> portClosed());
  }

  /**
   * Registers a transport with freshly generated credentials.
   *
   * @throws IllegalStateException before the mux is attached to a port
   */
  public IceTransport register(IceTransportListener listener, DatagramReceiver receiver) {
    for (int i = 0; i < REGISTER_ATTEMPTS; i++) {
      IceTransport t = tryRegister(IceCredentials.generate(random), listener, receiver);
      if (t != null) {
        return t;
      }
    }
    throw new IllegalStateException("no free ufrag after " + REGISTER_ATTEMPTS + " attempts");
  }

  /**
   * Registers a transport with the given local credentials.
   *
   * @throws IllegalStateException when the ufrag is taken or the mux is not attached to a port
   */
  public IceTransport register(IceCredentials local, IceTransportListener listener,
      DatagramReceiver receiver) {
    IceTransport t = tryRegister(local, listener, receiver);
    if (t == null) {
      throw new IllegalStateException("ufrag already registered: " + local.ufrag());
    }
    return t;
  }

  private IceTransport tryRegister(IceCredentials local, IceTransportListener listener,
      DatagramReceiver receiver) {
    Channel ch = channel;
    if (ch == null || !ch.isOpen()) {
      throw new IllegalStateException("not attached to an open media port");
    }
    IceTransport t = new IceTransport(this, local, Objects.requireNonNull(listener),
        Objects.requireNonNull(receiver), nanoClock.getAsLong());
    return byUfrag.putIfAbsent(UfragKey.of(local.ufrag()), t) == null ? t : null;
  }

  /** Host candidates of this port's number on each advertised address (see {@link IceCandidate#hosts}). */
  public List<IceCandidate> hostCandidates(List<InetAddress> advertised) {
    return IceCandidate.hosts(advertised, localAddress().getPort());
  }

  public InetSocketAddress localAddress() {
    Channel ch = channel;
    if (ch == null) {
      throw new IllegalStateException("not attached to a port");
    }
    return (InetSocketAddress) ch.localAddress();
  }

  public IceStats stats() {
    return stats;
  }

  /** Registered transports. */
  public int transportCount() {
    return byUfrag.size();
  }

  @Override
  public void dispatch(PacketClass cls, DatagramPacket packet) {
    try {
      if (cls == PacketClass.STUN) {
        onStun(packet);
      } else {
        onMedia(cls, packet);
      }
    } catch (RuntimeException e) {
      // Ownership already settled above; only count and log, never reach Netty.
      stats.internalErrors.increment();
      LOG.warn("error on the ICE receive path", e);
    }
  }

  private void onStun(DatagramPacket packet) {
    InetSocketAddress sender = packet.sender();
    ByteBuf content = packet.content();
    int length = content.readableBytes();
    byte[] raw = requestScratch;
    try {
      if (length > raw.length) {
        stats.stunMalformed.increment();
        logBadInput("malformed STUN from {}: {}", sender, "over the size cap");
        return;
      }
      content.getBytes(content.readerIndex(), raw, 0, length);
    } finally {
      packet.release();
    }
    if (!scan.scan(raw, length) || !scan.fingerprintMatches(raw)) {
      stats.stunMalformed.increment();
      logBadInput("malformed STUN from {}: {}", sender, scan.problem() == null ? "FINGERPRINT mismatch" : scan.problem());
      return;
    }
    if (scan.type() != StunAttributes.BINDING_REQUEST) {
      stats.stunNotRequest.increment();
      return;
    }
    int user = scan.usernameOffset();
    int colon = user < 0 ? -1 : indexOf(raw, user, scan.usernameLength(), (byte) ':');
    if (colon < 0) {
      stats.stunNoUsername.increment();
      logBadInput("binding request without ICE USERNAME from {}{}", sender, "");
      return;
    }
    IceTransport t = byUfrag.get(probe.wrap(raw, user, colon - user));
    if (t == null) {
      stats.stunUnknownUfrag.increment();
      logBadInput("binding request from {} for unknown ufrag {}", sender, printable.of(raw, user, colon - user));
      return;
    }
    long now = nanoClock.getAsLong();
    // A source that keeps failing authentication is dropped before the HMAC, unless a transport
    // owns it: spoofing a live client's address must not get its own consent checks dropped.
    if (failedChecks.throttled(sender, now) && !byAddress.containsKey(sender)) {
      stats.stunThrottled.increment();
      return;
    }
    int n = t.onBindingRequest(raw, length, scan, sender, now, responseScratch);
    if (n > 0) {
      ByteBuf response = channel.alloc().buffer(n).writeBytes(responseScratch, 0, n);
      write(new DatagramPacket(response, sender));
    }
  }

  /** A binding request from {@code sender} failed authentication. Port loop only. */
  void authenticationFailed(InetSocketAddress sender, long now) {
    failedChecks.failed(sender, now);
  }

  /** Whether one more error answer may go out now (see {@link Config#errorRepliesPerSecond}). */
  boolean mayAnswerWithError(long now) {
    if (errorReplies.tryTake(now)) {
      return true;
    }
    stats.stunErrorRepliesDropped.increment();
    return false;
  }

  /**
   * Sends a datagram from the port. Written on the port's loop (a forwarded packet, an answer to a
   * check, a timer's RTCP), it goes out with everything else written in the same loop iteration:
   * one flush, queued as a task, runs after the iteration's read batch, so a batch of received
   * packets fans out in one {@code sendmmsg} (epoll) instead of one syscall per packet. From any
   * other thread it is flushed at once.
   */
  public void write(DatagramPacket datagram) {
    stats.sent.increment();
    Channel ch = channel;
    EventLoop loop = ch.eventLoop();
    if (loop.inEventLoop()) {
      ch.write(datagram, ch.voidPromise());
      if (!flushQueued) {
        flushQueued = true;
        loop.execute(flush);
      }
    } else {
      ch.writeAndFlush(datagram, ch.voidPromise());
    }
  }

  private void onMedia(PacketClass cls, DatagramPacket packet) {
    InetSocketAddress sender = packet.sender();
    IceTransport t = byAddress.get(sender);
    // A transport closed from another thread keeps its addresses until the clean-up task runs.
    if (t == null || t.state().terminal()) {
      stats.unvalidatedDropped.increment();
      logBadInput("{} datagram from unvalidated address {}", cls, sender);
      packet.release();
      return;
    }
    stats.delivered.increment();
    t.deliver(cls, packet.content(), sender);
  }

  /**
   * Records that {@code t} validated {@code address}, unless another transport is live there: its
   * last valid check from {@code address} is younger than the address hold. A live owner keeps
   * its address, so one datagram with a spoofed source cannot take it; an owner that went quiet
   * loses it to the newcomer (a port reused by a new client). Port loop only.
   *
   * @return whether {@code t} now owns {@code address}
   */
  boolean claimAddress(InetSocketAddress address, IceTransport t, long now) {
    IceTransport owner = byAddress.get(address);
    if (owner != null && owner != t) {
      if (owner.isLiveAt(address, now, addressHoldNanos)) {
        stats.addressClaimsRefused.increment();
        claims.info("refused ICE {}'s claim of {}: its live owner keeps it", t.localUfrag(), address);
        return false;
      }
      LOG.info("remote address {} moved from ICE {} (quiet there) to ICE {}", address, owner.localUfrag(), t.localUfrag());
      owner.forget(address); // drops owner's entry; the put below makes it t's
    }
    byAddress.put(address, t);
    return true;
  }

  /** Forgets {@code address} if {@code t} still owns it. Port loop only. */
  void releaseAddress(InetSocketAddress address, IceTransport t) {
    byAddress.remove(address, t);
  }

  /** Unregisters {@code t}: its ufrag at once, its addresses on the port's loop. */
  void remove(IceTransport t) {
    byUfrag.remove(UfragKey.of(t.localUfrag()), t);
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      t.releaseAddresses();
    } else {
      loop.execute(t::releaseAddresses);
    }
  }

  /** Runs every transport's timers; scheduled every second on the port's loop. */
  void checkTimeouts() {
    long now = nanoClock.getAsLong();
    long consent = config.consentTimeout().toNanos();
    long connect = config.connectTimeout().toNanos();
    for (IceTransport t : new ArrayList<>(byUfrag.values())) {
      try {
        t.checkTimeouts(now, consent, connect);
      } catch (RuntimeException e) {
        stats.internalErrors.increment();
        LOG.warn("ICE timer failed for {}", t, e);
      }
    }
  }

  private void portClosed() {
    if (tick != null) {
      tick.cancel(false);
    }
    for (IceTransport t : new ArrayList<>(byUfrag.values())) {
      t.fail(IceFailure.PORT_CLOSED);
    }
  }

  /**
   * Peer-supplied bytes made safe for one log line. Reused (port loop only) and rendered only
   * when the rate-limited log writes the line, so logging junk allocates nothing per datagram.
   */
  private static final class Printable {
    private byte[] bytes;
    private int offset;
    private int length;

    Printable of(byte[] b, int offset, int length) {
      this.bytes = b;
      this.offset = offset;
      this.length = length;
      return this;
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(Math.min(length, 32) + 3);
      for (int i = 0; i < length && i < 32; i++) {
        int c = bytes[offset + i] & 0xff;
        out.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
      }
      return length > 32 ? out.append("...").toString() : out.toString();
    }
  }

  private static int indexOf(byte[] b, int from, int length, byte value) {
    for (int i = from; i < from + length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  void logBadInput(String format, Object a, Object b) {
    badInput.debug(format, a, b);
  }
}
