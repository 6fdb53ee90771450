package dev.fanout.bench.load;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.RemoteTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.rtp.RtpPacket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What every subscriber of a run received, added up: packets, the sender's packet indexes that
 * never came (loss), that came late (reordering), twice (duplicates) or wrong, and the transit
 * time of each packet (publisher and subscribers share the generator's clock).
 *
 * <p>Kept light, so the generator is not what limits a run: per packet one hash lookup, one
 * histogram record and a few counters; the full payload check only for one packet in
 * {@link #VERIFY_EVERY}.
 */
final class Reception {
  /** One packet in this many has its whole payload checked. */
  static final int VERIFY_EVERY = 16;

  final LongAdder packets = new LongAdder();
  final LongAdder missing = new LongAdder();
  final LongAdder late = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder corrupt = new LongAdder();
  final LongAdder verified = new LongAdder();
  /** Transit time in microseconds, up to 10 s. */
  final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(10), 3);

  /** A handler for one subscriber; runs on that subscriber's transport loop. */
  FanoutClient.RtpHandler newSubscriber() {
    return new FanoutClient.RtpHandler() {
      private final Map<Integer, Window> windows = new HashMap<>();
      private int count;

      @Override
      public void onRtp(RemoteTrack track, RtpPacket p) {
        if (track.isRtx(p.ssrc())) {
          return; // retransmissions repair loss the counters have seen already
        }
        long now = System.nanoTime();
        long index = SyntheticMedia.packetIndex(p, track.kind());
        if (index < 0) {
          corrupt.increment();
          return;
        }
        Window w = windows.computeIfAbsent(p.ssrc(), k -> new Window());
        if (w.next >= 0 && index < w.next) {
          if (index < w.next - Window.SIZE) {
            late.increment(); // too late to matter: it stays counted as missing
            return;
          }
          if (w.seen(index)) {
            duplicates.increment();
            return;
          }
          late.increment();
          missing.decrement(); // counted missing when a later packet came first
        } else if (w.next >= 0 && index > w.next) {
          missing.add(index - w.next);
        }
        w.mark(index);
        packets.increment();
        latency.recordValue(Math.min(TimeUnit.SECONDS.toMicros(10),
            Math.max(0, (now - SyntheticMedia.sentNanos(p, track.kind())) / 1000)));
        if (++count % VERIFY_EVERY == 0) {
          verified.increment();
          if (!payloadIntact(p, track)) {
            corrupt.increment();
          }
        }
      }
    };
  }

  /** The sender indexes seen lately on one stream: the next expected and the last 1024 as bits. */
  private static final class Window {
    static final int SIZE = 1024;
    final long[] bits = new long[SIZE / 64];
    long next = -1;

    boolean seen(long index) {
      int i = (int) (index & (SIZE - 1));
      return (bits[i >>> 6] & (1L << (i & 63))) != 0;
    }

    /** Marks {@code index} seen; moving forward clears the bits of the indexes skipped over. */
    void mark(long index) {
      if (index >= next) {
        long from = Math.max(next, index - SIZE + 1);
        for (long k = Math.max(from, 0); k < index; k++) {
          int i = (int) (k & (SIZE - 1));
          bits[i >>> 6] &= ~(1L << (i & 63));
        }
        next = index + 1;
      }
      int i = (int) (index & (SIZE - 1));
      bits[i >>> 6] |= 1L << (i & 63);
    }
  }

  /** Everything after the stamp is the zeros the synthetic source wrote. */
  private static boolean payloadIntact(RtpPacket p, RemoteTrack track) {
    byte[] b = p.buffer();
    int from = p.payloadOffset() + SyntheticMedia.stampOffset(track.kind()) + SyntheticMedia.STAMP_LENGTH;
    int to = p.payloadOffset() + p.payloadLength();
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** A snapshot of the counters, for differences over a window. */
  record Counts(long packets, long missing, long late, long duplicates, long corrupt) {
    Counts minus(Counts o) {
      return new Counts(packets - o.packets, missing - o.missing, late - o.late, duplicates - o.duplicates,
          corrupt - o.corrupt);
    }

    double lossPercent() {
      long expected = packets + Math.max(0, missing);
      return expected == 0 ? 0 : 100.0 * Math.max(0, missing) / expected;
    }
  }

  Counts counts() {
    return new Counts(packets.sum(), missing.sum(), late.sum(), duplicates.sum(), corrupt.sum());
  }
}
