package dev.fanout.ice;

import dev.fanout.ice.net.DatagramDispatcher;
import dev.fanout.ice.stun.StunDecoder;
import dev.fanout.ice.stun.StunFormatException;
import dev.fanout.ice.stun.StunMessage;
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
 *   datagram --(RFC 7983 class)--+-- STUN --------> transport by ufrag (USERNAME before ':')
 *                                |                   answers the check, learns the address
 *                                +-- DTLS, RTP/RTCP -> transport by remote address, but only an
 *                                                     address that passed that transport's check;
 *                                                     any other address: dropped and counted
 * </pre>
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

  /** Timeouts of the transports of one port. */
  public record Config(Duration consentTimeout, Duration connectTimeout) {
    /** RFC 7675's 30 s consent timeout; 30 s to get a nomination after registration. */
    public static Config defaults() {
      return new Config(Duration.ofSeconds(30), Duration.ofSeconds(30));
    }
  }

  private final Config config;
  private final LongSupplier nanoClock;
  private final SecureRandom random;
  private final IceStats stats = new IceStats();
  private final RateLimitedLog badInput = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(1));
  private final Map<String, IceTransport> byUfrag = new ConcurrentHashMap<>();
  /** Validated remote addresses; port event loop only. */
  private final Map<InetSocketAddress, IceTransport> byAddress = new HashMap<>();
  /** Scratch for responses; port event loop only. */
  private final byte[] responseScratch = new byte[512];

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
    return byUfrag.putIfAbsent(local.ufrag(), t) == null ? t : null;
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
    StunMessage msg;
    try {
      msg = StunDecoder.decode(packet.content());
    } catch (StunFormatException e) {
      stats.stunMalformed.increment();
      logBadInput("malformed STUN from {}: {}", sender, e.getMessage());
      return;
    } finally {
      packet.release();
    }
    if (!msg.isBindingRequest()) {
      stats.stunNotRequest.increment();
      return;
    }
    String ufrag = msg.recipientUfrag();
    if (ufrag == null) {
      stats.stunNoUsername.increment();
      logBadInput("binding request without ICE USERNAME from {}{}", sender, "");
      return;
    }
    IceTransport t = byUfrag.get(ufrag);
    if (t == null) {
      stats.stunUnknownUfrag.increment();
      logBadInput("binding request from {} for unknown ufrag {}", sender, printable(ufrag));
      return;
    }
    int length = t.onBindingRequest(msg, sender, nanoClock.getAsLong(), responseScratch);
    ByteBuf response = channel.alloc().buffer(length).writeBytes(responseScratch, 0, length);
    write(new DatagramPacket(response, sender));
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

  /** Records that {@code t} validated {@code address}; a newer validation wins. Port loop only. */
  void claimAddress(InetSocketAddress address, IceTransport t) {
    IceTransport previous = byAddress.put(address, t);
    if (previous != null && previous != t) {
      LOG.info("remote address {} moved from ICE {} to ICE {}", address, previous.localUfrag(), t.localUfrag());
      previous.forget(address); // leaves the entry alone: it is no longer previous's
    }
  }

  /** Forgets {@code address} if {@code t} still owns it. Port loop only. */
  void releaseAddress(InetSocketAddress address, IceTransport t) {
    byAddress.remove(address, t);
  }

  /** Unregisters {@code t}: its ufrag at once, its addresses on the port's loop. */
  void remove(IceTransport t) {
    byUfrag.remove(t.localUfrag(), t);
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

  /** A peer-supplied string made safe for one log line. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 32));
    for (int i = 0; i < s.length() && i < 32; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.length() > 32 ? b.append("...").toString() : b.toString();
  }

  void logBadInput(String format, Object a, Object b) {
    badInput.debug(format, a, b);
  }
}
