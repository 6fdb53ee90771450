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
 * never came (loss), that came late (reordering) or came wrong, and the transit time of each
 * packet (publisher and subscribers share the generator's clock).
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
  final LongAdder corrupt = new LongAdder();
  final LongAdder verified = new LongAdder();
  /** Transit time in microseconds, up to 10 s. */
  final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(10), 3);

  /** A handler for one subscriber; runs on that subscriber's transport loop. */
  FanoutClient.RtpHandler newSubscriber() {
    return new FanoutClient.RtpHandler() {
      private final Map<Integer, long[]> nextIndex = new HashMap<>();
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
        packets.increment();
        latency.recordValue(Math.min(TimeUnit.SECONDS.toMicros(10),
            Math.max(0, (now - SyntheticMedia.sentNanos(p, track.kind())) / 1000)));
        long[] next = nextIndex.computeIfAbsent(p.ssrc(), k -> new long[] {-1});
        if (next[0] >= 0) {
          if (index > next[0]) {
            missing.add(index - next[0]);
          } else if (index < next[0]) {
            late.increment();
            missing.decrement(); // counted missing when its successor came first
          }
        }
        next[0] = Math.max(next[0], index + 1);
        if (++count % VERIFY_EVERY == 0) {
          verified.increment();
          if (!payloadIntact(p, track)) {
            corrupt.increment();
          }
        }
      }
    };
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
  record Counts(long packets, long missing, long late, long corrupt) {
    Counts minus(Counts o) {
      return new Counts(packets - o.packets, missing - o.missing, late - o.late, corrupt - o.corrupt);
    }

    double lossPercent() {
      long expected = packets + Math.max(0, missing);
      return expected == 0 ? 0 : 100.0 * Math.max(0, missing) / expected;
    }
  }

  Counts counts() {
    return new Counts(packets.sum(), missing.sum(), late.sum(), corrupt.sum());
  }
}
