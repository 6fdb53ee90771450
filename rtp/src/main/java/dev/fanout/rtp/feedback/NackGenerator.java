package dev.fanout.rtp.feedback;

import dev.fanout.rtp.SequenceNumbers;

/**
 * Decides which packets of one received RTP stream to ask for again with Generic NACK (RFC 4585
 * §6.2.1), and when.
 *
 * <p>Usage, on the stream's event loop: {@link #onPacket} for every packet of the media stream
 * (a retransmission after {@link RtxUnwrap}, with its original sequence number), and {@link
 * #collect} on a timer (and whenever {@link #nextDueNanos()} has passed); write what it returns
 * with {@link dev.fanout.rtp.rtcp.GenericNack#writeTo(byte[], int, int, int, int[], int)}.
 *
 * <p>Behaviour:
 *
 * <ul>
 *   <li>A packet newer than the highest so far makes the numbers between them missing. Each is
 *       first requested once {@code reorderDelayNanos} has passed since the gap was seen (a packet
 *       that was only reordered arrives within that time and is never requested), then again
 *       {@code max(rtt, 20 ms)} after that, then 20, 40, 60 ms … after each retry (see {@link
 *       #retryWaitNanos}) until it arrives, until it has been requested {@code maxRetries} times
 *       and one more wait has passed, or until it is {@code maxAgeNanos} old; then it is given
 *       up.
 *   <li>A packet older than the highest removes its entry: counted as recovered when it had been
 *       requested, as reordered when not. An older packet with no entry (a duplicate) changes
 *       nothing.
 *   <li>At most {@code maxMissing} entries are kept; when a gap needs more, the oldest are dropped.
 *       A forward jump larger than {@code maxMissing} is not repairable: the list is cleared and
 *       the stream goes on from the new number. Two consecutive packets more than {@code
 *       maxMissing} behind are a sender that restarted its numbering: the generator follows it.
 * </ul>
 *
 * <p>Allocation-free: the entries are parallel primitive arrays of {@code maxMissing} slots,
 * allocated by the constructor and kept in sequence order (a gap appends, a recovery marks its
 * entry removed after a binary search, {@link #collect} compacts); the caller supplies the output
 * array.
 *
 * <p>Not thread-safe; one generator belongs to one stream on one event loop.
 */
public final class NackGenerator {
  public static final int DEFAULT_MAX_MISSING = 1000;
  public static final int DEFAULT_MAX_RETRIES = 10;
  public static final long DEFAULT_MAX_AGE_NANOS = 1_000_000_000L;
  /** Long enough for the reordering of a burst on one path; short against any RTT. */
  public static final long DEFAULT_REORDER_DELAY_NANOS = 5_000_000L;
  /** The shortest time between two requests for the same packet, whatever the RTT. */
  public static final long MIN_RETRY_INTERVAL_NANOS = 20_000_000L;
  /** The retry interval assumed while the RTT is unknown (0 or negative). */
  public static final long DEFAULT_RTT_NANOS = 100_000_000L;

  private static final long NEVER = Long.MIN_VALUE;
  private static final int REMOVED = -1;

  private final int maxMissing;
  private final int maxRetries;
  private final long maxAgeNanos;
  private final long reorderDelayNanos;

  private final long[] seqs;
  private final long[] detectedAt;
  private final long[] sentAt;
  /** Requests sent for the entry, or {@link #REMOVED}. */
  private final int[] tries;
  /** Slots in use, removed ones included; entries are in ascending sequence order. */
  private int size;
  private int live;

  private boolean started;
  private long highest;
  private long restartCandidate = NEVER;
  private long nextDue = Long.MAX_VALUE;

  /** Smoothed request-to-repair time (see {@link #rttNanos()}); 0 until a first sample. */
  private long srtt;
  private long requests;
  private long recovered;
  private long reordered;
  private long givenUp;
  private long dropped;

  public NackGenerator() {
    this(DEFAULT_MAX_MISSING, DEFAULT_MAX_RETRIES, DEFAULT_MAX_AGE_NANOS, DEFAULT_REORDER_DELAY_NANOS);
  }

  /**
   * @param maxMissing entries kept at most (and the largest gap still repaired), 1..32767
   * @param maxRetries requests per packet before giving up, at least 1
   * @param maxAgeNanos how long after the gap was seen a packet is still requested
   * @param reorderDelayNanos how long after the gap was seen the first request waits (0: at once)
   */
  public NackGenerator(int maxMissing, int maxRetries, long maxAgeNanos, long reorderDelayNanos) {
    if (maxMissing < 1 || maxMissing > Short.MAX_VALUE) {
      throw new IllegalArgumentException("max missing " + maxMissing);
    }
    if (maxRetries < 1) {
      throw new IllegalArgumentException("max retries " + maxRetries);
    }
    if (maxAgeNanos <= 0 || reorderDelayNanos < 0) {
      throw new IllegalArgumentException("max age " + maxAgeNanos + ", reorder delay " + reorderDelayNanos);
    }
    this.maxMissing = maxMissing;
    this.maxRetries = maxRetries;
    this.maxAgeNanos = maxAgeNanos;
    this.reorderDelayNanos = reorderDelayNanos;
    seqs = new long[maxMissing];
    detectedAt = new long[maxMissing];
    sentAt = new long[maxMissing];
    tries = new int[maxMissing];
  }

  /**
   * Notes the arrival of the packet with sequence number {@code seq} (16 bits) at {@code
   * nowNanos}.
   *
   * @return how many sequence numbers this packet revealed as missing (0 for most packets)
   */
  public int onPacket(int seq, long nowNanos) {
    seq &= 0xffff;
    if (!started) {
      started = true;
      highest = seq;
      return 0;
    }
    int d = SequenceNumbers.diff(seq, (int) (highest & 0xffff));
    long ext = highest + d;
    long candidate = restartCandidate;
    restartCandidate = NEVER;
    if (d > 0) {
      int gap = d - 1;
      highest = ext;
      if (gap > maxMissing) {
        dropAll();
        return 0;
      }
      if (gap > 0) {
        append(ext - gap, gap, nowNanos);
      }
      return gap;
    }
    if (d == 0) {
      return 0;
    }
    int i = find(ext);
    if (i >= 0) {
      if (tries[i] > 0) {
        recovered++;
        if (tries[i] == 1) {
          sampleRtt(nowNanos - sentAt[i]);
        }
      } else {
        reordered++;
      }
      tries[i] = REMOVED;
      live--;
    } else if (-d > maxMissing) {
      if (ext == candidate) {
        dropAll();
        highest = ext;
      } else {
        restartCandidate = ext + 1;
      }
    }
    return 0;
  }

  /**
   * One request-to-repair time, taken only from packets requested once (after two requests it is
   * not known which one was answered: Karn's rule, RFC 6298 §3), smoothed as TCP smooths its
   * RTT (RFC 6298 §2, gain 1/8).
   */
  private void sampleRtt(long sample) {
    if (sample <= 0) {
      return;
    }
    srtt = srtt == 0 ? sample : srtt + (sample - srtt) / 8;
  }

  private void dropAll() {
    dropped += live;
    size = 0;
    live = 0;
  }

  /** Adds entries for {@code count} numbers from {@code first}, all newer than every entry. */
  private void append(long first, int count, long nowNanos) {
    if (size + count > maxMissing) {
      compact();
      int excess = size + count - maxMissing;
      if (excess > 0) {
        dropped += excess;
        int keep = size - excess;
        System.arraycopy(seqs, excess, seqs, 0, keep);
        System.arraycopy(detectedAt, excess, detectedAt, 0, keep);
        System.arraycopy(sentAt, excess, sentAt, 0, keep);
        System.arraycopy(tries, excess, tries, 0, keep);
        size = keep;
        live = keep;
      }
    }
    for (int k = 0; k < count; k++) {
      seqs[size] = first + k;
      detectedAt[size] = nowNanos;
      sentAt[size] = NEVER;
      tries[size] = 0;
      size++;
    }
    live += count;
    long due = nowNanos + reorderDelayNanos;
    if (due < nextDue) {
      nextDue = due;
    }
  }

  /** Removes the slots of entries marked removed, keeping the order. */
  private void compact() {
    int w = 0;
    for (int r = 0; r < size; r++) {
      if (tries[r] != REMOVED) {
        move(r, w++);
      }
    }
    size = w;
    live = w;
  }

  private void move(int from, int to) {
    if (from != to) {
      seqs[to] = seqs[from];
      detectedAt[to] = detectedAt[from];
      sentAt[to] = sentAt[from];
      tries[to] = tries[from];
    }
  }

  /** The slot of the live entry for {@code ext}, or -1. */
  private int find(long ext) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long s = seqs[mid];
      if (s < ext) {
        lo = mid + 1;
      } else if (s > ext) {
        hi = mid - 1;
      } else {
        return tries[mid] == REMOVED ? -1 : mid;
      }
    }
    return -1;
  }

  /**
   * Fills {@code out} with the sequence numbers (16 bits, oldest first) to request now and marks
   * them requested; gives up entries that are too old or out of tries.
   *
   * @param rttNanos the current round-trip time to the sender; 0 or less to use {@link #rttNanos()}
   *     (and {@link #DEFAULT_RTT_NANOS} until it has a sample)
   * @return how many numbers were written; when {@code out} was too small, the rest stay due
   *     ({@link #nextDueNanos()} is then in the past)
   */
  public int collect(long nowNanos, long rttNanos, int[] out) {
    long rtt = rttNanos > 0 ? rttNanos : srtt > 0 ? srtt : DEFAULT_RTT_NANOS;
    long interval = Math.max(rtt, MIN_RETRY_INTERVAL_NANOS);
    long next = Long.MAX_VALUE;
    int n = 0;
    int w = 0;
    for (int r = 0; r < size; r++) {
      int t = tries[r];
      if (t == REMOVED) {
        continue;
      }
      if (nowNanos - detectedAt[r] > maxAgeNanos) {
        givenUp++;
        continue;
      }
      long dueAt = t == 0 ? detectedAt[r] + reorderDelayNanos : sentAt[r] + retryWaitNanos(t, interval);
      if (nowNanos - dueAt >= 0) {
        if (t >= maxRetries) {
          givenUp++;
          continue;
        }
        if (n < out.length) {
          out[n++] = (int) (seqs[r] & 0xffff);
          tries[r] = t + 1;
          sentAt[r] = nowNanos;
          requests++;
          dueAt = nowNanos + retryWaitNanos(t + 1, interval);
        }
      }
      next = Math.min(next, dueAt);
      move(r, w++);
    }
    size = w;
    live = w;
    nextDue = next;
    return n;
  }

  /**
   * How long after its {@code tries}-th request (1, 2, …) a packet is requested again: the first
   * retry waits {@code interval}, about the time a repair takes; the later ones wait 20 ms, 40 ms,
   * 60 ms and so on, so that 10 requests span about {@code interval} + 900 ms, the 1 s a packet
   * is asked for.
   *
   * <p>Why the second and third retries come so soon: a retry is wanted when the repair was lost,
   * which is never known, only that the repair is late. A retry that comes while the repair is
   * still on its way costs a few bytes of RTCP and nothing else, because the sender drops it:
   * libwebrtc retransmits a packet at most once per its RTT + 5 ms (RtpPacketHistory ignores a
   * NACK for a packet it retransmitted more recently, and one still in its pacer queue), a window
   * that lasts at least until that retransmission would have reached us. The first retry after
   * the window is the one answered, so the closer the retries, the sooner a lost repair is
   * repaired again. Retrying once per request-to-repair time, as before (and as libwebrtc's own
   * NackRequester retries once per RTT), lands inside the window whenever the sender was slower
   * than average to answer; the retry that counts then comes a whole interval later. Under {@code
   * stress-ng --cpu 2} in the uplink browser test, lost repairs were repaired again only 200–280
   * ms after the loss, and each froze the subscriber's picture. RFC 4585 §6.2.1 defines the NACK
   * but leaves it to the receiver when to repeat one.
   */
  static long retryWaitNanos(int tries, long interval) {
    return tries <= 1 ? interval : MIN_RETRY_INTERVAL_NANOS * (tries - 1);
  }

  /**
   * The earliest time at which {@link #collect} has something to do ({@link Long#MAX_VALUE} when
   * nothing is missing). An early bound: an entry recovered since may have been the reason.
   */
  public long nextDueNanos() {
    return nextDue;
  }

  /** Sequence numbers currently missing and still to be requested or waited for. */
  public int missing() {
    return live;
  }

  /**
   * The smoothed time from a request to the arrival of the packet it asked for: the round trip to
   * the sender plus its time to answer, which is what a retry should wait. 0 before the first
   * repair.
   */
  public long rttNanos() {
    return srtt;
  }

  /** Requests made: one per sequence number per NACK. */
  public long requests() {
    return requests;
  }

  /** Missing packets that arrived after being requested. */
  public long recovered() {
    return recovered;
  }

  /** Missing packets that arrived before any request: reordered, not lost. */
  public long reordered() {
    return reordered;
  }

  /** Missing packets abandoned after {@code maxRetries} requests or {@code maxAgeNanos}. */
  public long givenUp() {
    return givenUp;
  }

  /** Missing packets dropped unrequested or unrecovered because of the bound or a jump. */
  public long dropped() {
    return dropped;
  }
}
