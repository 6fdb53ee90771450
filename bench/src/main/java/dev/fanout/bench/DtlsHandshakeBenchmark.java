package dev.fanout.bench;

import dev.fanout.dtls.DatagramSender;
import dev.fanout.dtls.DtlsCertificate;
import dev.fanout.dtls.DtlsConnection;
import dev.fanout.dtls.DtlsFailure;
import dev.fanout.dtls.DtlsListener;
import dev.fanout.dtls.DtlsRole;
import dev.fanout.dtls.DtlsStack;
import dev.fanout.dtls.PeerCertificate;
import dev.fanout.rtp.srtp.SrtpKeys;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * DTLS handshake latency and throughput over an in-memory link (no network delay), server and
 * client stacks in one JVM, each side's datagrams delivered on its own "event loop" thread.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fanout.bench.DtlsHandshakeBenchmark [warmup] [measured] [throughputHandshakes] [inFlight]
 * </pre>
 *
 * Latency: sequential handshakes after a warm-up, from the client's open() to both sides'
 * onConnected. Throughput: handshakes completed per second with {@code inFlight} running at
 * once on the default pool (16 threads); each counts the work of both ends (a server that only
 * answers does about half of it).
 */
public final class DtlsHandshakeBenchmark {
  private DtlsHandshakeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int throughputCount = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 8;

    DtlsCertificate serverCert = DtlsCertificate.generate();
    DtlsCertificate clientCert = DtlsCertificate.generate();
    ExecutorService loopA = Executors.newSingleThreadExecutor();
    ExecutorService loopB = Executors.newSingleThreadExecutor();
    try (DtlsStack server = new DtlsStack(serverCert);
        DtlsStack client = new DtlsStack(clientCert)) {
      long coldStart = System.nanoTime();
      handshake(server, client, loopA, loopB).get(30, TimeUnit.SECONDS);
      System.out.printf("first (cold) handshake: %.1f ms%n", (System.nanoTime() - coldStart) / 1e6);
      for (int i = 0; i < warmup; i++) {
        handshake(server, client, loopA, loopB).get(30, TimeUnit.SECONDS);
      }
      long[] nanos = new long[measured];
      for (int i = 0; i < measured; i++) {
        long start = System.nanoTime();
        handshake(server, client, loopA, loopB).get(30, TimeUnit.SECONDS);
        nanos[i] = System.nanoTime() - start;
      }
      Arrays.sort(nanos);
      System.out.printf("warm handshake latency over %d sequential: median %.2f ms, p90 %.2f ms,"
              + " min %.2f ms, max %.2f ms%n", measured, nanos[measured / 2] / 1e6,
          nanos[measured * 9 / 10] / 1e6, nanos[0] / 1e6, nanos[measured - 1] / 1e6);

      Semaphore slots = new Semaphore(inFlight);
      List<CompletableFuture<Void>> all = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < throughputCount; i++) {
        slots.acquire();
        CompletableFuture<Void> f = handshake(server, client, loopA, loopB);
        f.whenComplete((v, e) -> slots.release());
        all.add(f);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("throughput: %d handshakes, %d in flight, %.2f s: %.0f handshakes/s"
              + " (both ends in this JVM, %d cores)%n", throughputCount, inFlight, seconds,
          throughputCount / seconds, Runtime.getRuntime().availableProcessors());
      System.out.println("server " + server.stats());
    } finally {
      loopA.shutdownNow();
      loopB.shutdownNow();
    }
  }

  /** Completes when both ends are connected; both connections are closed then. */
  private static CompletableFuture<Void> handshake(
      DtlsStack serverStack, DtlsStack clientStack, ExecutorService loopA, ExecutorService loopB) {
    AtomicReference<DtlsConnection> serverRef = new AtomicReference<>();
    AtomicReference<DtlsConnection> clientRef = new AtomicReference<>();
    Outcome serverDone = new Outcome();
    Outcome clientDone = new Outcome();
    DtlsConnection server = serverStack.newConnection(DtlsRole.SERVER)
        .remoteFingerprint(clientStack.certificate().fingerprint())
        .sender(towards(clientRef, loopB))
        .listener(serverDone, loopA)
        .open();
    serverRef.set(server);
    DtlsConnection client = clientStack.newConnection(DtlsRole.CLIENT)
        .remoteFingerprint(serverStack.certificate().fingerprint())
        .sender(towards(serverRef, loopA))
        .listener(clientDone, loopB)
        .open();
    clientRef.set(client);
    return CompletableFuture.allOf(serverDone.connected, clientDone.connected)
        .whenComplete((v, e) -> {
          client.close();
          server.close();
        });
  }

  private static DatagramSender towards(AtomicReference<DtlsConnection> to, ExecutorService loop) {
    return datagram -> {
      byte[] bytes = ByteBufUtil.getBytes(datagram);
      datagram.release();
      loop.execute(() -> deliver(to, loop, bytes));
    };
  }

  private static void deliver(
      AtomicReference<DtlsConnection> to, ExecutorService loop, byte[] bytes) {
    DtlsConnection c = to.get();
    if (c == null) {
      loop.execute(() -> deliver(to, loop, bytes)); // not published yet
    } else {
      c.onDatagram(bytes, 0, bytes.length);
    }
  }

  private static final class Outcome implements DtlsListener {
    final CompletableFuture<Void> connected = new CompletableFuture<>();

    @Override
    public void onConnected(SrtpKeys keys, PeerCertificate peer) {
      connected.complete(null);
    }

    @Override
    public void onClosed(boolean byPeer) {
      connected.completeExceptionally(new IllegalStateException("closed before connecting"));
    }

    @Override
    public void onFailed(DtlsFailure failure) {
      connected.completeExceptionally(new IllegalStateException(failure.toString()));
    }
  }
}
