package dev.fanout.testkit.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A userspace network emulator for tests: a UDP relay on one port that forwards every client's
 * datagrams to a target (a server's media port) and the target's answers back, through a link
 * with a rate limit, a queue, delay, jitter, random and burst loss, set apart for each direction
 * and changeable while traffic flows. It stands in for Linux {@code netem}, which this project's
 * machines lack.
 *
 * <p>Like a NAT, the relay gives each client address its own socket towards the target, so the
 * target sees as many addresses as there are clients and its answers map back to the right one.
 * With {@link Sharing#SHARED} (the default) all clients cross one link per direction, as if they
 * sat behind one access line; with {@link Sharing#PER_CLIENT} each client has its own link with
 * the same conditions.
 *
 * <pre>{@code
 * try (LinkEmulator link = LinkEmulator.to(server.mediaAddress()).seed(7).start()) {
 *   link.down().rate(300_000).delay(Duration.ofMillis(50)).loss(0.02);
 *   client.sendMediaVia(link.address());
 *   ...
 *   assertThat(link.down().stats().lostRandom()).isPositive();
 * }
 * }</pre>
 *
 * <p>Everything runs on one event loop thread of its own (native epoll when it loads, whose
 * timers have microsecond resolution), so the emulator's state needs no locks; setters and
 * counters may be used from any thread. Randomness comes from a seed ({@link #seed()}), one
 * stream per direction and purpose, so a test can replay a loss pattern.
 */
public final class LinkEmulator implements AutoCloseable {
  /** Datagrams larger than this are cut by the receiving socket unless the builder raises it. */
  public static final int DEFAULT_MAX_DATAGRAM = 2048;
  /** Asks for 4 MiB (Linux caps it at net.core.rmem_max): a starved loop must not lose datagrams. */
  private static final int SOCKET_BUFFER = 4 << 20;
  private static final Pattern CANDIDATE =
      Pattern.compile("(?m)^(a=candidate:\\S+ \\d+ (?i:udp) \\d+ )(\\S+) (\\d+)( typ .*)$");

  /** How clients share the emulated link. */
  public enum Sharing {
    /** One link per direction that every client crosses: one bottleneck, one loss process. */
    SHARED,
    /** A link per client and direction, each with the direction's conditions. */
    PER_CLIENT
  }

  private final InetSocketAddress target;
  private final long seed;
  private final Sharing sharing;
  private final int maxClients;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap upstreamBootstrap;
  private final InetSocketAddress upstreamBind;
  private final LinkDirection up;
  private final LinkDirection down;
  private final Lane sharedUp;
  private final Lane sharedDown;
  private final Channel front;
  private final InetSocketAddress address;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Loop-confined.
  private final Map<InetSocketAddress, Flow> flows = new HashMap<>();
  private boolean shut;
  /** Client address to the address of its socket towards the target; readable anywhere. */
  private final Map<InetSocketAddress, InetSocketAddress> mappings = new ConcurrentHashMap<>();

  private LinkEmulator(Builder b) throws IOException {
    this.target = b.target;
    this.seed = b.seed;
    this.sharing = b.sharing;
    this.maxClients = b.maxClients;
    this.up = new LinkDirection("up", seed, this::wake);
    this.down = new LinkDirection("down", seed ^ 0x9E3779B97F4A7C15L, this::wake);
    boolean epoll = !"nio".equals(System.getProperty("fanout.transport", "").toLowerCase(Locale.ROOT))
        && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fanout-link", true, Thread.MAX_PRIORITY), io);
    this.loop = group.next();
    Class<? extends Channel> channelClass = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    Bootstrap base = new Bootstrap().group(loop).channel(channelClass)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(b.maxDatagram))
        .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
        .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
    this.upstreamBootstrap = base.clone();
    this.upstreamBind = new InetSocketAddress(sameFamily(target.getAddress(), target.getAddress().isLoopbackAddress()), 0);
    this.sharedUp = sharing == Sharing.SHARED ? new Lane(up, loop, this::sendUp) : null;
    this.sharedDown = sharing == Sharing.SHARED ? new Lane(down, loop, this::sendDown) : null;
    InetSocketAddress bind = b.bind != null ? b.bind
        : new InetSocketAddress(sameFamily(target.getAddress(), true), 0);
    Channel ch;
    try {
      ch = base.clone().handler(new FromClients()).bind(bind).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      throw new IOException("the link emulator cannot bind " + bind + ": " + e.getMessage(), e);
    }
    this.front = ch;
    this.address = (InetSocketAddress) ch.localAddress();
  }

  /** An emulator that forwards to {@code target}; set it up, then {@link Builder#start()}. */
  public static Builder to(InetSocketAddress target) {
    return new Builder(target);
  }

  /** Starts an emulator towards {@code target} with the defaults: loopback, a random seed, shared. */
  public static LinkEmulator start(InetSocketAddress target) throws IOException {
    return to(target).start();
  }

  /** Where clients send: the relay's own address. */
  public InetSocketAddress address() {
    return address;
  }

  /** Where the relay forwards to. */
  public InetSocketAddress target() {
    return target;
  }

  /** The seed of every random draw (loss, jitter); print it to replay a failing run. */
  public long seed() {
    return seed;
  }

  public Sharing sharing() {
    return sharing;
  }

  /** Clients to the target. */
  public LinkDirection up() {
    return up;
  }

  /** The target to clients. */
  public LinkDirection down() {
    return down;
  }

  /**
   * Each client seen so far, with the address of the socket the relay talks to the target from
   * for it (what the target sees as that client's address).
   */
  public Map<InetSocketAddress, InetSocketAddress> clients() {
    return Map.copyOf(mappings);
  }

  /**
   * Rewrites the UDP {@code a=candidate} lines of {@code sdp} that point at the target so they
   * point at this relay: a peer that is handed the result sends its media through the emulated
   * link. Other lines, and candidates for other addresses, are left alone.
   */
  public String rerouteCandidates(String sdp) {
    Matcher m = CANDIDATE.matcher(sdp);
    StringBuilder out = new StringBuilder(sdp.length() + 16);
    while (m.find()) {
      String replacement = m.group();
      if (Integer.parseInt(m.group(3)) == target.getPort() && sameHost(m.group(2), target.getAddress())) {
        String tail = m.group(4);
        replacement = m.group(1) + address.getAddress().getHostAddress() + " " + address.getPort() + tail;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static boolean sameHost(String host, InetAddress address) {
    if (!host.matches("[0-9a-fA-F:.]+")) {
      return false; // an mDNS or DNS name: never resolve one here
    }
    try {
      return InetAddress.getByName(host).equals(address);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Wakes every lane so a change of conditions applies to what is queued now. */
  private void wake() {
    try {
      loop.execute(() -> {
        long now = System.nanoTime();
        for (Lane lane : lanes()) {
          lane.run(now);
        }
      });
    } catch (RejectedExecutionException e) {
      // closed: nothing is queued any more
    }
  }

  private List<Lane> lanes() {
    List<Lane> lanes = new ArrayList<>();
    if (sharing == Sharing.SHARED) {
      lanes.add(sharedUp);
      lanes.add(sharedDown);
    } else {
      for (Flow f : flows.values()) {
        lanes.add(f.up);
        lanes.add(f.down);
      }
    }
    return lanes;
  }

  private Flow flowFor(InetSocketAddress client) {
    Flow flow = flows.get(client);
    if (flow != null || flows.size() >= maxClients) {
      return flow;
    }
    Flow f = sharing == Sharing.SHARED ? new Flow(client, sharedUp, sharedDown)
        : new Flow(client, new Lane(up, loop, this::sendUp), new Lane(down, loop, this::sendDown));
    f.bound = upstreamBootstrap.clone().handler(new FromTarget(f)).bind(upstreamBind);
    f.upstream = f.bound.channel();
    f.bound.addListener((ChannelFutureListener) done -> {
      if (done.isSuccess()) {
        mappings.put(client, (InetSocketAddress) done.channel().localAddress());
      }
    });
    flows.put(client, f);
    return f;
  }

  private void sendUp(Lane.Held h) {
    Flow f = h.flow;
    if (!f.bound.isDone()) {
      // Only the first datagrams of a new client, when nothing delays them: wait for the bind.
      f.bound.addListener((ChannelFutureListener) done -> write(f.upstream, h, target, up));
      return;
    }
    write(f.upstream, h, target, up);
  }

  private void sendDown(Lane.Held h) {
    write(front, h, h.flow.client, down);
  }

  private static void write(Channel ch, Lane.Held h, InetSocketAddress to, LinkDirection d) {
    int size = h.size;
    ch.writeAndFlush(new DatagramPacket(h.content, to)).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        d.packetsForwarded.incrementAndGet();
        d.bytesForwarded.addAndGet(size);
      } else {
        d.droppedOther.incrementAndGet();
      }
    });
  }

  /**
   * Closes the relay's sockets, drops what the link still holds (counted in
   * {@link LinkStats#droppedOther()}) and stops its thread. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      loop.submit(() -> {
        shut = true;
        if (sharing == Sharing.SHARED) {
          sharedUp.close();
          sharedDown.close();
        }
        for (Flow f : flows.values()) {
          if (sharing == Sharing.PER_CLIENT) {
            f.up.close();
            f.down.close();
          }
          f.upstream.close();
        }
        front.close();
      }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "LinkEmulator " + address + " -> " + target + " (seed " + seed + ", " + sharing + ")";
  }

  private static InetAddress sameFamily(InetAddress of, boolean loopback) {
    try {
      boolean v6 = of instanceof Inet6Address;
      if (loopback) {
        return InetAddress.getByName(v6 ? "::1" : "127.0.0.1");
      }
      return InetAddress.getByName(v6 ? "::" : "0.0.0.0");
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Datagrams from clients, on the relay's own port. */
  private final class FromClients extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof DatagramPacket p)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      long now = System.nanoTime();
      ByteBuf content = p.content();
      Flow flow = shut ? null : flowFor(p.sender());
      if (flow == null) {
        up.packetsIn.incrementAndGet();
        up.bytesIn.addAndGet(content.readableBytes());
        up.droppedOther.incrementAndGet();
        p.release();
        return;
      }
      flow.up.offer(content, flow, now);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A failed receive (e.g. an ICMP error surfaced by the socket) costs nothing but that read.
    }
  }

  /** Datagrams on one client's socket towards the target. */
  private final class FromTarget extends ChannelInboundHandlerAdapter {
    private final Flow flow;

    FromTarget(Flow flow) {
      this.flow = flow;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof DatagramPacket p)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      long now = System.nanoTime();
      ByteBuf content = p.content();
      if (shut || !p.sender().equals(target)) {
        // Only the target may answer through a client's mapping, as with an address-dependent NAT.
        down.packetsIn.incrementAndGet();
        down.bytesIn.addAndGet(content.readableBytes());
        down.droppedOther.incrementAndGet();
        p.release();
        return;
      }
      flow.down.offer(content, flow, now);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // As above.
    }
  }

  /** Settings that are fixed for an emulator's life. */
  public static final class Builder {
    private final InetSocketAddress target;
    private InetSocketAddress bind;
    private long seed = ThreadLocalRandom.current().nextLong();
    private Sharing sharing = Sharing.SHARED;
    private int maxClients = 1024;
    private int maxDatagram = DEFAULT_MAX_DATAGRAM;

    private Builder(InetSocketAddress target) {
      if (target == null || target.isUnresolved() || target.getPort() == 0) {
        throw new IllegalArgumentException("the target must be a resolved address with a port, got " + target);
      }
      this.target = target;
    }

    /** The relay's own address; by default loopback of the target's family, an ephemeral port. */
    public Builder bind(InetSocketAddress address) {
      this.bind = address;
      return this;
    }

    /** The seed of every random draw; by default a random one (see {@link LinkEmulator#seed()}). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder sharing(Sharing sharing) {
      if (sharing == null) {
        throw new IllegalArgumentException("sharing must not be null");
      }
      this.sharing = sharing;
      return this;
    }

    /** Client addresses the relay maps at most (1024 by default); datagrams of more are dropped. */
    public Builder maxClients(int clients) {
      if (clients < 1) {
        throw new IllegalArgumentException("maxClients must be at least 1, got " + clients);
      }
      this.maxClients = clients;
      return this;
    }

    /** The largest datagram carried whole ({@value #DEFAULT_MAX_DATAGRAM} bytes by default). */
    public Builder maxDatagram(int bytes) {
      if (bytes < 64 || bytes > 65_535) {
        throw new IllegalArgumentException("maxDatagram must be within 64..65535, got " + bytes);
      }
      this.maxDatagram = bytes;
      return this;
    }

    public LinkEmulator start() throws IOException {
      return new LinkEmulator(this);
    }
  }
}
