package dev.fanout.dtls;

import dev.fanout.rtp.srtp.SrtpKeys;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that records what it hears, for tests. */
final class Recorder implements DtlsListener {
  final CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();
  final CompletableFuture<PeerCertificate> peer = new CompletableFuture<>();
  /** Completes with the failure, or with null when closed cleanly. */
  final CompletableFuture<DtlsFailure> ended = new CompletableFuture<>();
  final CompletableFuture<Boolean> closedByPeer = new CompletableFuture<>();
  final BlockingQueue<byte[]> data = new LinkedBlockingQueue<>();
  final AtomicInteger terminalCalls = new AtomicInteger();
  volatile String thread;

  @Override
  public void onConnected(SrtpKeys k, PeerCertificate p) {
    thread = Thread.currentThread().getName();
    keys.complete(k);
    peer.complete(p);
  }

  @Override
  public void onApplicationData(byte[] d) {
    data.add(d);
  }

  @Override
  public void onClosed(boolean byPeer) {
    terminalCalls.incrementAndGet();
    closedByPeer.complete(byPeer);
    ended.complete(null);
  }

  @Override
  public void onFailed(DtlsFailure failure) {
    terminalCalls.incrementAndGet();
    ended.complete(failure);
    keys.completeExceptionally(new AssertionError("failed: " + failure));
  }

  SrtpKeys awaitKeys(Duration timeout) throws Exception {
    return keys.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  DtlsFailure awaitFailure(Duration timeout) throws Exception {
    return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  byte[] awaitData(Duration timeout) throws InterruptedException {
    return data.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
