package dev.fanout.testkit.link;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/** Waiting with deadlines, and the statistics the emulator's tests look at. */
final class LinkAssertions {
  private LinkAssertions() {}

  /** Polls {@code condition} every 10 ms until {@code timeout}; fails with {@code what}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(10);
    }
  }

  /** The {@code q}-quantile (0..1) of {@code values}, nearest rank. */
  static <T> double quantile(List<T> values, ToDoubleFunction<T> f, double q) {
    double[] v = values.stream().mapToDouble(f).toArray();
    Arrays.sort(v);
    int i = (int) Math.ceil(q * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, i))];
  }

  static <T> double min(List<T> values, ToDoubleFunction<T> f) {
    return values.stream().mapToDouble(f).min().orElseThrow();
  }

  static <T> double max(List<T> values, ToDoubleFunction<T> f) {
    return values.stream().mapToDouble(f).max().orElseThrow();
  }

  /**
   * Bits per second of payload over the arrivals, from the first arrival to the last: the bytes
   * after the first datagram divided by the time between them.
   */
  static double throughput(List<Peer.Arrival> arrivals) {
    long first = arrivals.get(0).arrivedNanos();
    long last = arrivals.get(arrivals.size() - 1).arrivedNanos();
    long bytes = 0;
    for (int i = 1; i < arrivals.size(); i++) {
      bytes += arrivals.get(i).size();
    }
    return bytes * 8.0 * 1e9 / (last - first);
  }
}
