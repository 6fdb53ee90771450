package dev.fanout.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the per-packet benchmarks share, so that figures compared within one run are taken alike:
 * nanoseconds, one fork, three warm-up and five measured iterations of one second. Each benchmark
 * picks its mode: average time for the parsers of a few nanoseconds, sampled time (the median is
 * the figure to quote) where SRTP runs.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class PerPacketBenchmark {
  protected PerPacketBenchmark() {}
}
