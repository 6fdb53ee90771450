package dev.fanout.server.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Many hostile TCP clients of the HTTP/WebSocket port, on one selector thread: silent
 * connections, slowloris (a header line now and then, never the end of the request), and
 * WebSockets that ping but never join. Each connection records when the server closed it and
 * what it answered first (an HTTP status line, or a WebSocket close status). Loopback only; the
 * thread stops with {@link #close} and after {@link #MAX_LIFETIME_MILLIS} at the latest.
 *
 * <p>Also runs as a separate process ({@link #main}), so a test can hold more sockets than its
 * own file descriptor limit leaves room for (the server under test shares the test's JVM).
 */
public final class HostileClients implements AutoCloseable {
  /** What every connection of one set does. */
  public enum Kind { SILENT, SLOW_HEADERS, PING_WITHOUT_JOIN }

  static final long MAX_LIFETIME_MILLIS = 180_000;
  private static final int KEEP_BYTES = 16 * 1024;

  private final InetSocketAddress server;
  private final Kind kind;
  private final long intervalNanos;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Conn> pending = new ConcurrentLinkedQueue<>();
  private final List<Conn> all = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private volatile boolean stopped;

  private static final class Conn {
    final SocketChannel ch;
    final long openedNanos = System.nanoTime();
    final ByteBuffer in = ByteBuffer.allocate(KEEP_BYTES);
    long nextSendNanos;
    int sent;
    volatile long closedNanos;
    volatile String status;
    volatile int closeCode = -1;
    int frameOffset = -1;

    Conn(SocketChannel ch) {
      this.ch = ch;
    }
  }

  public HostileClients(InetSocketAddress server, Kind kind, long intervalMillis) throws IOException {
    this.server = server;
    this.kind = kind;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    this.selector = Selector.open();
    this.thread = new Thread(this::run, "hostile-" + kind.name().toLowerCase());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Opens {@code count} connections, spread round-robin over {@code sources} (loopback addresses
   * to bind to). Returns how many connected; a connect that fails (the server's backlog full and
   * the attempt timed out) is counted as not opened.
   */
  public int open(int count, List<InetAddress> sources) {
    int opened = 0;
    for (int i = 0; i < count && !stopped; i++) {
      InetAddress source = sources.get(i % sources.size());
      SocketChannel ch = null;
      try {
        ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(new InetSocketAddress(source, 0));
        ch.socket().connect(server, 10_000);
        ch.configureBlocking(false);
        Conn c = new Conn(ch);
        first(c);
        synchronized (all) {
          all.add(c);
        }
        pending.add(c);
        opened++;
      } catch (IOException e) {
        if (ch != null) {
          try {
            ch.close();
          } catch (IOException ignored) {
            // closing a failed socket
          }
        }
      }
      if (i % 64 == 63) {
        selector.wakeup();
      }
    }
    selector.wakeup();
    return opened;
  }

  /** Sends what the kind sends first, right after connecting (blocking for these few bytes). */
  private void first(Conn c) throws IOException {
    String text = switch (kind) {
      case SILENT -> null;
      case SLOW_HEADERS -> "GET /healthz HTTP/1.1\r\nHost: " + hostPort() + "\r\n";
      case PING_WITHOUT_JOIN -> "GET /rtc HTTP/1.1\r\nHost: " + hostPort() + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
          + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n\r\n";
    };
    if (text != null) {
      write(c, text.getBytes(StandardCharsets.US_ASCII));
    }
    c.nextSendNanos = System.nanoTime() + intervalNanos;
  }

  private String hostPort() {
    return server.getAddress().getHostAddress() + ":" + server.getPort();
  }

  private static void write(Conn c, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    // Small writes into an empty socket buffer: they go at once; a full one means the server
    // stopped reading, which is then this connection's fate anyway.
    c.ch.write(b);
  }

  private void run() {
    try {
      while (!stopped && System.nanoTime() - startNanos < TimeUnit.MILLISECONDS.toNanos(MAX_LIFETIME_MILLIS)) {
        Conn c;
        while ((c = pending.poll()) != null) {
          try {
            c.ch.register(selector, SelectionKey.OP_READ, c);
          } catch (IOException e) {
            markClosed(c);
          }
        }
        selector.select(20);
        for (SelectionKey key : selector.selectedKeys()) {
          read((Conn) key.attachment(), key);
        }
        selector.selectedKeys().clear();
        if (kind != Kind.SILENT) {
          sendDue();
        }
      }
    } catch (IOException | RuntimeException e) {
      stopped = true;
    } finally {
      closeAll();
    }
  }

  private void read(Conn c, SelectionKey key) {
    try {
      ByteBuffer scratch = c.in.hasRemaining() ? c.in : ByteBuffer.allocate(4096);
      int n = c.ch.read(scratch);
      if (n < 0) {
        key.cancel();
        c.ch.close();
        markClosed(c);
        return;
      }
      if (scratch == c.in) {
        parse(c);
      }
    } catch (IOException e) {
      key.cancel();
      try {
        c.ch.close();
      } catch (IOException ignored) {
        // already broken
      }
      markClosed(c);
    }
  }

  private static void markClosed(Conn c) {
    if (c.closedNanos == 0) {
      c.closedNanos = System.nanoTime();
    }
  }

  /** Reads the status line and, after a 101, the server's frames up to a close frame. */
  private void parse(Conn c) {
    byte[] a = c.in.array();
    int len = c.in.position();
    if (c.status == null) {
      for (int i = 0; i + 1 < len; i++) {
        if (a[i] == '\r' && a[i + 1] == '\n') {
          c.status = new String(a, 0, i, StandardCharsets.ISO_8859_1);
          break;
        }
      }
    }
    if (c.status != null && c.status.contains(" 101 ") && c.frameOffset < 0) {
      for (int i = 0; i + 3 < len; i++) {
        if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
          c.frameOffset = i + 4;
          break;
        }
      }
    }
    while (c.frameOffset >= 0 && c.closeCode < 0 && c.frameOffset + 2 <= len) {
      int o = c.frameOffset;
      int opcode = a[o] & 0x0f;
      int plen = a[o + 1] & 0x7f;
      int header = 2;
      if (plen == 126) {
        if (o + 4 > len) {
          return;
        }
        plen = ((a[o + 2] & 0xff) << 8) | (a[o + 3] & 0xff);
        header = 4;
      } else if (plen == 127) {
        return; // the server sends no such frames to these clients
      }
      if (o + header + plen > len) {
        return;
      }
      if (opcode == 8) {
        c.closeCode = plen >= 2 ? ((a[o + header] & 0xff) << 8) | (a[o + header + 1] & 0xff) : 1005;
      }
      c.frameOffset = o + header + plen;
    }
    // Frames already parsed are dropped, so a long-lived pinging connection never fills its buffer.
    if (c.frameOffset > 0 && c.frameOffset == len && c.closeCode < 0) {
      c.in.clear();
      c.frameOffset = 0;
    }
  }

  private void sendDue() {
    long now = System.nanoTime();
    List<Conn> snapshot;
    synchronized (all) {
      snapshot = new ArrayList<>(all);
    }
    for (Conn c : snapshot) {
      if (c.closedNanos != 0 || now < c.nextSendNanos) {
        continue;
      }
      c.nextSendNanos = now + intervalNanos;
      try {
        if (kind == Kind.SLOW_HEADERS) {
          write(c, ("X-Slow-" + c.sent++ + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
        } else if (kind == Kind.PING_WITHOUT_JOIN && c.frameOffset >= 0) {
          write(c, maskedText("{\"v\":1,\"id\":" + c.sent++ + ",\"method\":\"ping\"}"));
        }
      } catch (IOException e) {
        markClosed(c);
      }
    }
  }

  /** One masked text frame (RFC 6455 §5.3: every client frame is masked). */
  static byte[] maskedText(String text) {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    if (p.length > 125) {
      throw new IllegalArgumentException("short messages only");
    }
    byte[] f = new byte[6 + p.length];
    f[0] = (byte) 0x81;
    f[1] = (byte) (0x80 | p.length);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, f, 2, 4);
    for (int i = 0; i < p.length; i++) {
      f[6 + i] = (byte) (p[i] ^ mask[i & 3]);
    }
    return f;
  }

  /** Connections opened so far. */
  public int opened() {
    synchronized (all) {
      return all.size();
    }
  }

  /** Connections the server has closed (or reset). */
  public int closedByServer() {
    int n = 0;
    for (Conn c : snapshot()) {
      if (c.closedNanos != 0) {
        n++;
      }
    }
    return n;
  }

  /** Closed connections by their first status line ("HTTP/1.1 408 Request Timeout"), or "(none)". */
  public Map<String, Integer> statuses() {
    Map<String, Integer> m = new TreeMap<>();
    for (Conn c : snapshot()) {
      if (c.closedNanos != 0) {
        m.merge(c.status == null ? "(none)" : c.status, 1, Integer::sum);
      }
    }
    return m;
  }

  /** Closed WebSockets by the status of the server's close frame (-1: none). */
  public Map<Integer, Integer> closeCodes() {
    Map<Integer, Integer> m = new TreeMap<>();
    for (Conn c : snapshot()) {
      if (c.closedNanos != 0) {
        m.merge(c.closeCode, 1, Integer::sum);
      }
    }
    return m;
  }

  /** The shortest time, in ms, from a connection's opening to its closing by the server (-1: none closed). */
  public long shortestLifeMillis() {
    long min = Long.MAX_VALUE;
    for (Conn c : snapshot()) {
      if (c.closedNanos != 0) {
        min = Math.min(min, c.closedNanos - c.openedNanos);
      }
    }
    return min == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(min);
  }

  private List<Conn> snapshot() {
    synchronized (all) {
      return new ArrayList<>(all);
    }
  }

  /** One line of counts, for failure messages and the child process's report. */
  public String summary() {
    return "opened=" + opened() + " closed=" + closedByServer() + " statuses=" + statuses()
        + " closeCodes=" + closeCodes();
  }

  private void closeAll() {
    for (Conn c : snapshot()) {
      try {
        c.ch.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    stopped = true;
    selector.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Loopback sources {@code prefix.1} … {@code prefix.count}, e.g. prefix "127.0.9". */
  public static List<InetAddress> sources(String prefix, int count) {
    List<InetAddress> list = new ArrayList<>();
    try {
      for (int i = 1; i <= count; i++) {
        list.add(InetAddress.getByName(prefix + "." + i));
      }
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
    return list;
  }

  /**
   * As a separate process: {@code HOST PORT COUNT SOURCE_PREFIX SOURCES}. Opens COUNT silent
   * connections, prints {@code OPENED n}, then answers each {@code stats} line on stdin with a
   * {@code STATS …} line; ends on {@code quit}, at the end of stdin, or after
   * {@link #MAX_LIFETIME_MILLIS}.
   */
  public static void main(String[] args) throws Exception {
    InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
    int count = Integer.parseInt(args[2]);
    List<InetAddress> sources = sources(args[3], Integer.parseInt(args[4]));
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(MAX_LIFETIME_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      System.exit(3);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    try (HostileClients clients = new HostileClients(server, Kind.SILENT, 1000)) {
      int opened = clients.open(count, sources);
      System.out.println("OPENED " + opened);
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.equals("quit")) {
        if (line.equals("stats")) {
          System.out.println("STATS " + clients.summary());
          System.out.flush();
        }
      }
    }
  }
}
