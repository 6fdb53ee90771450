package dev.fanout.server.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client written from RFC 6455 and RFC 7692 on a plain socket, for tests that must
 * send what a well-behaved client never would (compressed bombs, unread queues) and see exactly
 * what the server answers. Blocking; one thread reads, any thread may send.
 */
public final class RawWebSocket implements AutoCloseable {
  /** One frame from the server; {@code payload} is inflated when the frame was compressed. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status of a close frame, 1005 when it has none. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** The server answered the upgrade with something other than 101. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    public final String statusLine;

    Refused(String statusLine, String rest) {
      super("upgrade refused: " + statusLine + " " + rest);
      this.statusLine = statusLine;
    }
  }

  private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final boolean deflate;
  private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
  private final Inflater inflater = new Inflater(true);

  private RawWebSocket(Socket socket, boolean deflate) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
    this.out = socket.getOutputStream();
    this.deflate = deflate;
  }

  /**
   * Opens a WebSocket to {@code /rtc}.
   *
   * @param offerDeflate offer permessage-deflate (as browsers do)
   * @param receiveBuffer SO_RCVBUF for the socket, 0 for the default
   * @param origin an Origin header, or null for none
   */
  public static RawWebSocket open(InetSocketAddress server, boolean offerDeflate, int receiveBuffer, String origin)
      throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(server, 5000);
    s.setTcpNoDelay(true);
    s.setSoTimeout(10_000);
    String request = "GET /rtc HTTP/1.1\r\nHost: " + server.getAddress().getHostAddress() + ":" + server.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
        + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
        + (origin != null ? "Origin: " + origin + "\r\n" : "")
        + "\r\n";
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    String head = readHead(s.getInputStream());
    String status = head.substring(0, head.indexOf("\r\n"));
    if (!status.contains(" 101 ")) {
      String body;
      try {
        body = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        body = "(unreadable: " + e + ")";
      } finally {
        s.close();
      }
      throw new Refused(status, head + body);
    }
    boolean negotiated = head.toLowerCase().contains("sec-websocket-extensions: permessage-deflate");
    return new RawWebSocket(s, negotiated);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed during the handshake after: " + b);
      }
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
          : c == '\r' ? 1 : 0;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Whether permessage-deflate was negotiated. */
  public boolean compressed() {
    return deflate;
  }

  /** Sends one text message, compressed when permessage-deflate was negotiated. */
  public synchronized void sendText(String text) throws IOException {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    if (deflate) {
      sendFrame(0x1, true, true, compress(deflater, p));
    } else {
      sendFrame(0x1, false, true, p);
    }
  }

  /** Compresses one message as RFC 7692 §7.2.1 says: sync flush, then drop the 4-byte tail. */
  static byte[] compress(Deflater d, byte[] p) {
    d.setInput(p);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      out.write(buf, 0, n);
    } while (n == buf.length);
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, all.length - TAIL.length);
  }

  /**
   * A compressed message body that inflates to {@code inflatedBytes} bytes of {@code fill}: with
   * one byte repeated, deflate reaches about 1000:1.
   */
  public static byte[] bomb(long inflatedBytes, byte fill) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] chunk = new byte[1 << 20];
    java.util.Arrays.fill(chunk, fill);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    long left = inflatedBytes;
    while (left > 0) {
      int len = (int) Math.min(chunk.length, left);
      d.setInput(chunk, 0, len);
      left -= len;
      while (!d.needsInput()) {
        int n = d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
        out.write(buf, 0, n);
      }
    }
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      out.write(buf, 0, n);
    } while (n == buf.length);
    d.end();
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, all.length - TAIL.length);
  }

  /** Sends one masked frame as given (RFC 6455 §5.2). */
  public synchronized void sendFrame(int opcode, boolean rsv1, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask, 0, 4);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(masked, 0, masked.length);
    out.write(f.toByteArray());
    out.flush();
  }

  /**
   * Reads the next whole message or control frame within {@code timeout}; null when the server
   * closed the TCP connection without a close frame.
   */
  public Frame read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    int messageOpcode = -1;
    boolean messageCompressed = false;
    while (true) {
      int b0;
      try {
        b0 = in.read();
      } catch (java.net.SocketException e) {
        return null; // reset
      }
      if (b0 < 0) {
        return null;
      }
      int b1 = in.readUnsignedByte();
      boolean fin = (b0 & 0x80) != 0;
      boolean rsv1 = (b0 & 0x40) != 0;
      int opcode = b0 & 0x0f;
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      if (opcode >= 8) {
        return new Frame(opcode, payload);
      }
      if (opcode != 0) {
        messageOpcode = opcode;
        messageCompressed = rsv1;
      }
      message.write(payload, 0, payload.length);
      if (fin) {
        byte[] body = message.toByteArray();
        return new Frame(messageOpcode, messageCompressed ? inflate(body) : body);
      }
    }
  }

  private byte[] inflate(byte[] body) throws IOException {
    byte[] input = java.util.Arrays.copyOf(body, body.length + TAIL.length);
    System.arraycopy(TAIL, 0, input, body.length, TAIL.length);
    inflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    try {
      int n;
      // inflate() returns 0 only once it needs more input (or a dictionary): all output is out.
      while ((n = inflater.inflate(buf)) > 0) {
        out.write(buf, 0, n);
      }
    } catch (DataFormatException e) {
      throw new IOException("the server sent invalid deflate data", e);
    }
    return out.toByteArray();
  }

  /**
   * Reads until the server's close frame and returns its status; -1 when the connection ended
   * without one. Text frames before it are skipped.
   */
  public int awaitClose(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no close frame within " + timeout);
      }
      Frame f = read(Duration.ofNanos(left));
      if (f == null) {
        return -1;
      }
      if (f.opcode() == 8) {
        return f.closeCode();
      }
    }
  }

  /** Reads text messages until one contains {@code needle}; returns it. */
  public String awaitText(String needle, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no message with " + needle + " within " + timeout);
      }
      Frame f = read(Duration.ofNanos(left));
      if (f == null || f.opcode() == 8) {
        throw new EOFException("closed (" + (f == null ? "no close frame" : f.closeCode()) + ") before a message with "
            + needle);
      }
      if (f.opcode() == 1 && f.text().contains(needle)) {
        return f.text();
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    deflater.end();
    inflater.end();
  }
}
