package dev.fanout.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Interop with OpenSSL's {@code s_server} and {@code s_client}, a DTLS implementation nobody here
 * wrote, over real UDP sockets on loopback: both roles, both SRTP profiles, exported keys compared
 * with what OpenSSL prints. Skipped when {@code openssl} is not installed, except on CI
 * ({@code CI=true}), where it must run.
 */
class OpenSslInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Pattern KEYING_MATERIAL = Pattern.compile("Keying material: ([0-9A-Fa-f]+)");

  @TempDir static Path dir;
  private static String openssl;
  private static Path peerCert;
  private static Path peerKey;
  private static Fingerprint peerFingerprint;
  private static DtlsStack stack;
  private static ExecutorService loop;

  @BeforeAll
  static void findOpenSsl() throws Exception {
    openssl = locate();
    if (openssl == null) {
      String message = "openssl not found on PATH or at /usr/bin/openssl: OpenSSL interop tests skipped";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " (CI=true requires them)");
      }
      Assumptions.assumeTrue(false, message);
    }
    peerCert = dir.resolve("peer-cert.pem");
    peerKey = dir.resolve("peer-key.pem");
    run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", peerKey.toString(), "-out", peerCert.toString(), "-days", "30",
        "-subj", "/CN=openssl-peer");
    // "sha256 Fingerprint=AA:BB:..." → the SDP form, parsed by our own parser
    String line = run(openssl, "x509", "-in", peerCert.toString(), "-noout", "-fingerprint",
        "-sha256").strip();
    peerFingerprint = Fingerprint.parse("sha-256 " + line.substring(line.indexOf('=') + 1));
    stack = new DtlsStack(TestPeers.SERVER_CERT);
    loop = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
      loop.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  void ourServerAgainstOpenSslClient(SrtpProfile profile) throws Exception {
    try (UdpEndpoint udp = new UdpEndpoint(null)) {
      Recorder events = new Recorder();
      udp.connection = stack.newConnection(DtlsRole.SERVER)
          .remoteFingerprint(peerFingerprint)
          .sender(udp::send)
          .listener(events, loop)
          .label("interop-server")
          .open();
      try (OpenSsl client = OpenSsl.start(openssl, "s_client", "-dtls1_2",
          "-connect", "127.0.0.1:" + udp.port(),
          "-use_srtp", openSslName(profile),
          "-keymatexport", "EXTRACTOR-dtls_srtp",
          "-keymatexportlen", Integer.toString(profile.keyingMaterialLength()),
          "-cert", peerCert.toString(), "-key", peerKey.toString())) {
        SrtpKeys keys = events.awaitKeys(WAIT);
        byte[] theirs = client.keyingMaterial();

        assertThat(keys.profile()).isEqualTo(profile);
        assertThat(theirs).isEqualTo(exportedLayout(keys, DtlsRole.SERVER));
        assertThat(client.output()).contains("SRTP Extension negotiated, profile=" + openSslName(profile));
        assertThat(events.peer.get().sha256()).isEqualTo(peerFingerprint);

        client.type("hello from openssl\n");
        assertThat(new String(events.awaitData(WAIT), StandardCharsets.US_ASCII))
            .isEqualTo("hello from openssl\n");
        client.endInput(); // s_client sends close_notify at end of input
        assertThat(events.closedByPeer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  void ourClientAgainstOpenSslServer(SrtpProfile profile) throws Exception {
    int port = freeUdpPort();
    try (OpenSsl server = OpenSsl.start(openssl, "s_server", "-dtls1_2",
            "-accept", "127.0.0.1:" + port, "-naccept", "1",
            "-cert", peerCert.toString(), "-key", peerKey.toString(),
            "-verify", "1",
            "-use_srtp", openSslName(profile),
            "-keymatexport", "EXTRACTOR-dtls_srtp",
            "-keymatexportlen", Integer.toString(profile.keyingMaterialLength()));
        UdpEndpoint udp = new UdpEndpoint(new InetSocketAddress("127.0.0.1", port))) {
      server.await(s -> s.contains("ACCEPT"));
      Recorder events = new Recorder();
      DtlsConnection client = stack.newConnection(DtlsRole.CLIENT)
          .remoteFingerprint(peerFingerprint)
          .sender(udp::send)
          .listener(events, loop)
          .label("interop-client")
          .open();
      udp.connection = client;

      SrtpKeys keys = events.awaitKeys(WAIT);
      assertThat(keys.profile()).isEqualTo(profile);
      assertThat(server.keyingMaterial()).isEqualTo(exportedLayout(keys, DtlsRole.CLIENT));
      // s_server asked for our certificate (-verify) and saw the self-signed one
      assertThat(server.output()).contains("CN = fanout");

      byte[] hello = "hello from fanout\n".getBytes(StandardCharsets.US_ASCII);
      assertThat(client.send(hello, 0, hello.length)).isTrue();
      server.await(s -> s.contains("hello from fanout"));
      client.close();
      server.await(s -> s.contains("CONNECTION CLOSED") || s.contains("DONE"));
    }
  }

  @Test
  void ourServerRejectsAnOpenSslClientWithAnotherCertificate() throws Exception {
    Fingerprint declared = DtlsCertificate.generate().fingerprint();
    try (UdpEndpoint udp = new UdpEndpoint(null)) {
      Recorder events = new Recorder();
      udp.connection = stack.newConnection(DtlsRole.SERVER)
          .remoteFingerprint(declared)
          .sender(udp::send)
          .listener(events, loop)
          .open();
      try (OpenSsl client = OpenSsl.start(openssl, "s_client", "-dtls1_2",
          "-connect", "127.0.0.1:" + udp.port(), "-use_srtp", "SRTP_AEAD_AES_128_GCM",
          "-cert", peerCert.toString(), "-key", peerKey.toString())) {
        DtlsFailure failure = events.awaitFailure(WAIT);
        assertThat(failure.reason()).isEqualTo(DtlsFailure.Reason.FINGERPRINT_MISMATCH);
        assertThat(failure.message()).contains(peerFingerprint.toSdp());
        client.await(s -> s.contains("bad certificate") || s.contains("alert"));
      }
    }
  }

  @Test
  void certificateWrittenByOpenSslLoads() throws Exception {
    DtlsCertificate loaded = DtlsCertificate.loadPem(peerCert, peerKey);
    assertThat(loaded.fingerprint()).isEqualTo(peerFingerprint);
  }

  /** RFC 5764 §4.2 order: client key, server key, client salt, server salt. */
  private static byte[] exportedLayout(SrtpKeys keys, DtlsRole ourRole) {
    boolean client = ourRole == DtlsRole.CLIENT;
    byte[] clientKey = client ? keys.localMasterKey() : keys.remoteMasterKey();
    byte[] serverKey = client ? keys.remoteMasterKey() : keys.localMasterKey();
    byte[] clientSalt = client ? keys.localMasterSalt() : keys.remoteMasterSalt();
    byte[] serverSalt = client ? keys.remoteMasterSalt() : keys.localMasterSalt();
    byte[] all = new byte[clientKey.length * 2 + clientSalt.length * 2];
    int at = 0;
    for (byte[] part : List.of(clientKey, serverKey, clientSalt, serverSalt)) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static String openSslName(SrtpProfile profile) {
    return switch (profile) {
      case AEAD_AES_128_GCM -> "SRTP_AEAD_AES_128_GCM";
      case AES_CM_128_HMAC_SHA1_80 -> "SRTP_AES128_CM_SHA1_80";
      case AES_CM_128_HMAC_SHA1_32 -> "SRTP_AES128_CM_SHA1_32";
    };
  }

  private static String locate() {
    for (String dirName : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dirName.isEmpty() ? "." : dirName, "openssl");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return Files.isExecutable(Path.of("/usr/bin/openssl")) ? "/usr/bin/openssl" : null;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }

  private static int freeUdpPort() throws SocketException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An OpenSSL command whose output is collected line by line and whose input we can type. */
  private static final class OpenSsl implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final OutputStream stdin;

    private OpenSsl(Process process) {
      this.process = process;
      this.stdin = process.getOutputStream();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (lines) {
              lines.add(line);
              lines.notifyAll();
            }
          }
        } catch (IOException e) {
          // process ended
        }
      }, "openssl-output");
      reader.setDaemon(true);
      reader.start();
    }

    static OpenSsl start(String... command) throws IOException {
      return new OpenSsl(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    String output() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }

    void await(Predicate<String> condition) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      synchronized (lines) {
        while (!condition.test(String.join("\n", lines))) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            throw new AssertionError("openssl did not print what was expected; it printed:\n"
                + String.join("\n", lines));
          }
          lines.wait(left);
        }
      }
    }

    byte[] keyingMaterial() throws InterruptedException {
      await(s -> KEYING_MATERIAL.matcher(s).find());
      Matcher m = KEYING_MATERIAL.matcher(output());
      m.find();
      return HexFormat.of().parseHex(m.group(1));
    }

    void type(String text) throws IOException {
      stdin.write(text.getBytes(StandardCharsets.US_ASCII));
      stdin.flush();
    }

    void endInput() throws IOException {
      stdin.close();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Our side of the wire: a UDP socket on loopback feeding one connection. */
  private static final class UdpEndpoint implements AutoCloseable {
    private final DatagramSocket socket;
    private volatile SocketAddress remote;
    volatile DtlsConnection connection;

    UdpEndpoint(SocketAddress remote) throws SocketException {
      this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      this.remote = remote;
      Thread reader = new Thread(this::read, "udp-reader");
      reader.setDaemon(true);
      reader.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    void send(ByteBuf datagram) {
      try {
        byte[] bytes = ByteBufUtil.getBytes(datagram);
        SocketAddress to = remote;
        if (to != null) {
          socket.send(new DatagramPacket(bytes, bytes.length, to));
        }
      } catch (IOException e) {
        // a closed socket at the end of a test
      } finally {
        datagram.release();
      }
    }

    private void read() {
      byte[] buf = new byte[65536];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (IOException e) {
          return;
        }
        if (remote == null) {
          remote = p.getSocketAddress(); // the server learns its peer, as ICE would tell it
        }
        DtlsConnection c = connection;
        if (c != null) {
          c.onDatagram(Arrays.copyOf(buf, p.getLength()), 0, p.getLength());
        }
      }
    }

    @Override
    public void close() {
      DtlsConnection c = connection;
      if (c != null) {
        c.close();
      }
      socket.close();
    }
  }
}
