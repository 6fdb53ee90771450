package dev.fanout.dtls;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listener calls on the caller's executor one at a time, in the order they were enqueued,
 * whichever thread enqueued them. Events are enqueued while the connection's lock is held (so the
 * order is the order of state changes) and run after it is released ({@link #flush}), so a
 * listener never runs under that lock even with a direct executor.
 */
final class SerialDispatcher {
  private static final Logger log = LoggerFactory.getLogger(SerialDispatcher.class);

  private final Executor executor;
  private final String label;
  private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SerialDispatcher(Executor executor, String label) {
    this.executor = executor;
    this.label = label;
  }

  void enqueue(Runnable event) {
    events.add(event);
  }

  /** Makes sure enqueued events will run; call without holding any lock. */
  void flush() {
    if (events.isEmpty() || !scheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      scheduled.set(false);
      log.warn("{}: listener executor rejected DTLS events; {} dropped", label, events.size());
      events.clear();
    }
  }

  private void drain() {
    try {
      Runnable event;
      while ((event = events.poll()) != null) {
        try {
          event.run();
        } catch (RuntimeException e) {
          log.error("{}: DTLS listener threw", label, e);
        }
      }
    } finally {
      scheduled.set(false);
    }
    flush();
  }
}
