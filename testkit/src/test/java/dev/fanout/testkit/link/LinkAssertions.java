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
   * Bits per second of payload over the arrivals: the median of the rates over every run of 50
   * consecutive datagrams. A stall of the machine slows the runs that span it and speeds up the
   * ones in the catch-up after it; the median is the rate of the undisturbed runs.
   */
  static double throughput(List<Peer.Arrival> arrivals) {
    int window = Math.min(50, arrivals.size() - 1);
    double[] rates = new double[arrivals.size() - window];
    for (int i = 0; i + window < arrivals.size(); i++) {
      long bytes = 0;
      for (int j = i + 1; j <= i + window; j++) {
        bytes += arrivals.get(j).size();
      }
      long nanos = Math.max(1, arrivals.get(i + window).arrivedNanos() - arrivals.get(i).arrivedNanos());
      rates[i] = bytes * 8.0 * 1e9 / nanos;
    }
    Arrays.sort(rates);
    return rates[rates.length / 2];
  }
}
