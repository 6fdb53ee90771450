package dev.fanout.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
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
 * The process-wide DTLS machinery: the server's certificate, the small bounded pool of threads
 * that run handshakes for every connection (started on demand, ended after 30 s idle), and the counters. Create one at start, open a {@link
 * DtlsConnection} per peer connection with {@link #newConnection}, close it at shutdown.
 * Thread-safe.
 */
public final class DtlsStack implements AutoCloseable {
  private static final long THREAD_IDLE_SECONDS = 30;
  private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
      SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

  private final DtlsCertificate certificate;
  private final DtlsConfig config;
  private final BcTlsCrypto crypto;
  private final Certificate localChain;
  private final ThreadPoolExecutor handshakes;
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
    PendingHandshakes pending = new PendingHandshakes(config.pendingHandshakes());
    this.handshakes = new ThreadPoolExecutor(
        0, config.handshakeThreads(), THREAD_IDLE_SECONDS, TimeUnit.SECONDS, pending,
        new HandshakeThreads(threadNamePrefix), pending);
    pending.pool = handshakes;
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
   * The pool's queue, shaped so that an idle thread is reused before a new one is started, a new
   * one is started (up to the limit) before a handshake waits, and at most {@code capacity}
   * handshakes wait. A plain {@link ThreadPoolExecutor} with a bounded queue does neither: it
   * starts a thread per task until the core size is reached, idle threads notwithstanding, and
   * queues before it grows past the core size.
   */
  private static final class PendingHandshakes extends LinkedTransferQueue<Runnable>
      implements RejectedExecutionHandler {
    private static final long serialVersionUID = 1L;
    private final int capacity;
    transient volatile ThreadPoolExecutor pool;

    PendingHandshakes(int capacity) {
      this.capacity = capacity;
    }

    /**
     * Called by the pool first: succeeds when an idle thread takes the task at once, or when a
     * thread has just finished its task and is on its way back to take the next one (without
     * this, back-to-back handshakes would start a new thread each time they win that race).
     */
    @Override
    public boolean offer(Runnable task) {
      if (tryTransfer(task)) {
        return true;
      }
      ThreadPoolExecutor p = pool;
      synchronized (this) {
        return p != null && p.getPoolSize() > p.getActiveCount() + size()
            && size() < capacity && super.offer(task);
      }
    }

    /** Called by the pool when every thread is busy: queue within the capacity, or refuse. */
    @Override
    public synchronized void rejectedExecution(Runnable task, ThreadPoolExecutor pool) {
      if (pool.isShutdown() || size() >= capacity || !super.offer(task)) {
        throw new RejectedExecutionException("handshake capacity exhausted");
      }
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
