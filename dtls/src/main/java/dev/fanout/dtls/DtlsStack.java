package dev.fanout.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The process-wide DTLS machinery: the server's certificate, the threads that run handshakes for
 * every connection, the bound on handshakes in progress, and the counters. Create one at start,
 * open a {@link DtlsConnection} per peer connection with {@link #newConnection}, close it at
 * shutdown. Thread-safe.
 *
 * <p>Bouncy Castle's DTLS handshake is a blocking call that holds its thread while it waits for
 * the peer, so a peer that sends a ClientHello and then nothing holds a thread until it is given
 * up. Handshakes therefore never queue for a thread (a queue lets stalled handshakes delay every
 * handshake behind them): each admitted handshake gets a thread at once, at most {@link
 * DtlsConfig#maxHandshakes()} are admitted, and when they are all taken a new handshake takes the
 * place of the oldest one if that one has run for {@link #EVICTABLE_AGE} — a live peer completes
 * in a few round trips — instead of being refused. A waiting thread costs memory, not CPU.
 */
public final class DtlsStack implements AutoCloseable {
  /**
   * How long a handshake must have run before a new one may take its place when every slot is
   * taken: a live peer needs a few round trips, plus 1 s for each flight it loses.
   */
  public static final Duration EVICTABLE_AGE = Duration.ofSeconds(2);
  private static final long THREAD_IDLE_SECONDS = 30;
  private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
      SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

  private final DtlsCertificate certificate;
  private final DtlsConfig config;
  private final BcTlsCrypto crypto;
  private final Certificate localChain;
  private final ThreadPoolExecutor handshakes;
  /** Admitted handshakes, oldest first; guarded by itself. */
  private final LinkedHashSet<DtlsConnection> admitted = new LinkedHashSet<>();
  private final DtlsStats stats = new DtlsStats();
  private final AtomicLong connectionIds = new AtomicLong();
  private final String threadNamePrefix;
  private static final AtomicLong STACK_IDS = new AtomicLong();

  /** A stack with {@link DtlsConfig#defaults()}. */
  public DtlsStack(DtlsCertificate certificate) {
    this(certificate, DtlsConfig.defaults());
  }

  public DtlsStack(DtlsCertificate certificate, DtlsConfig config) {
    this.certificate = Objects.requireNonNull(certificate);
    this.config = Objects.requireNonNull(config);
    this.crypto = new BcTlsCrypto(new SecureRandom());
    try {
      this.localChain = certificate.tlsCertificate(crypto);
    } catch (IOException e) {
      throw new IllegalArgumentException("unusable certificate " + certificate, e);
    }
    this.threadNamePrefix = "fanout-dtls-" + STACK_IDS.incrementAndGet() + "-handshake-";
    // No queue: an idle thread is reused, otherwise a new one starts. The number of threads is
    // bounded by admission (maxHandshakes), plus the few that are on their way back to idle.
    this.handshakes = new ThreadPoolExecutor(0, Integer.MAX_VALUE, THREAD_IDLE_SECONDS,
        TimeUnit.SECONDS, new SynchronousQueue<>(), new HandshakeThreads(threadNamePrefix));
  }

  /** The local certificate; its {@link DtlsCertificate#fingerprint()} goes into our SDP. */
  public DtlsCertificate certificate() {
    return certificate;
  }

  public DtlsConfig config() {
    return config;
  }

  public DtlsStats stats() {
    return stats;
  }

  /**
   * Starts describing a connection for one peer connection (one ICE transport) in the given role.
   * Finish with {@link DtlsConnection.Builder#open()}.
   */
  public DtlsConnection.Builder newConnection(DtlsRole role) {
    if (handshakes.isShutdown()) {
      throw new IllegalStateException("DTLS stack is closed");
    }
    return new DtlsConnection.Builder(this, Objects.requireNonNull(role));
  }

  /**
   * Stops the handshake threads: handshakes in progress fail with {@link
   * DtlsFailure.Reason#INTERNAL}. Established connections keep working until closed.
   */
  @Override
  public void close() {
    handshakes.shutdownNow();
  }

  /** Waits until every handshake thread has ended (after {@link #close()}). */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return handshakes.awaitTermination(timeout, unit);
  }

  BcTlsCrypto crypto() {
    return crypto;
  }

  Executor handshakeExecutor() {
    return handshakes;
  }

  boolean handshakeExecutorShutdown() {
    return handshakes.isShutdown();
  }

  /** Handshake threads of this stack are named with this prefix. */
  String threadNamePrefix() {
    return threadNamePrefix;
  }

  String nextLabel() {
    return "dtls-" + connectionIds.incrementAndGet();
  }

  TlsCredentialedSigner signerCredentials(TlsContext context) {
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
        certificate.privateKey(), localChain, ECDSA_SHA256);
  }

  /**
   * Admits a handshake that is about to start, evicting the oldest admitted one when every slot
   * is taken and that one has run for {@link #EVICTABLE_AGE}. False when it must be refused.
   */
  boolean admit(DtlsConnection c, long nowNanos) {
    DtlsConnection evicted = null;
    synchronized (admitted) {
      if (admitted.size() >= config.maxHandshakes()) {
        DtlsConnection oldest = admitted.iterator().next();
        if (nowNanos - oldest.handshakeStartNanos() < EVICTABLE_AGE.toNanos()) {
          return false;
        }
        admitted.remove(oldest);
        evicted = oldest;
      }
      admitted.add(c);
    }
    if (evicted != null && evicted.evict(config.maxHandshakes()
        + " handshakes in progress; this one, the oldest, ran "
        + TimeUnit.NANOSECONDS.toMillis(nowNanos - evicted.handshakeStartNanos())
        + " ms and gave way to a new one")) {
      stats.handshakesEvicted.increment();
    }
    return true;
  }

  /** The handshake of {@code c} ended (or was evicted): its slot is free. */
  void release(DtlsConnection c) {
    synchronized (admitted) {
      admitted.remove(c);
    }
  }

  private static final class HandshakeThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicLong count = new AtomicLong();

    HandshakeThreads(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
