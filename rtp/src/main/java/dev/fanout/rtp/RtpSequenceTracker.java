package dev.fanout.rtp;

/**
 * The receive-side sequence state of one RTP source, as in RFC 3550 Appendix A.1 (validity with
 * probation, cycle counting into an extended highest sequence number) and A.3 (loss counts for a
 * reception report).
 */
public final class RtpSequenceTracker {
  private static final int RTP_SEQ_MOD = 1 << 16;
  /** Packets in sequence needed before a new source is valid (A.1's MIN_SEQUENTIAL). */
  public static final int MIN_SEQUENTIAL = 2;
  public static final int MAX_DROPOUT = 3000;
  public static final int MAX_MISORDER = 100;

  private int maxSeq;
  private long cycles;
  private int baseSeq;
  private int badSeq = RTP_SEQ_MOD + 1;
  private int probation = MIN_SEQUENTIAL;
  private long received;
  private long expectedPrior;
  private long receivedPrior;
  private boolean started;

  /**
   * Accounts for a packet with this sequence number.
   *
   * @return whether the packet belongs to the valid stream (false while on probation, for a
   *     large jump that is not yet confirmed, or for a duplicate or very late packet)
   */
  public boolean update(int seq) {
    seq &= 0xffff;
    if (!started) {
      started = true;
      init(seq);
      maxSeq = seq - 1;
      probation = MIN_SEQUENTIAL;
    }
    int udelta = (seq - maxSeq) & 0xffff;
    if (probation > 0) {
      if (seq == ((maxSeq + 1) & 0xffff)) {
        probation--;
        maxSeq = seq;
        if (probation == 0) {
          init(seq);
          received++;
          return true;
        }
      } else {
        probation = MIN_SEQUENTIAL - 1;
        maxSeq = seq;
      }
      return false;
    } else if (udelta < MAX_DROPOUT) {
      if (seq < maxSeq) {
        cycles += RTP_SEQ_MOD;
      }
      maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq == badSeq) {
        init(seq); // two sequential packets after a jump: the source restarted
      } else {
        badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return false;
      }
    } else {
      // duplicate or reordered packet: counted, does not move the highest
    }
    received++;
    return true;
  }

  private void init(int seq) {
    baseSeq = seq;
    maxSeq = seq;
    badSeq = RTP_SEQ_MOD + 1;
    cycles = 0;
    received = 0;
    receivedPrior = 0;
    expectedPrior = 0;
  }

  /** Highest sequence number received with the count of cycles in the upper bits. */
  public long extendedHighest() {
    return cycles + maxSeq;
  }

  public long received() {
    return received;
  }

  public long expected() {
    return probation > 0 ? 0 : extendedHighest() - baseSeq + 1;
  }

  /** Cumulative packets lost, clamped to the 24-bit signed field of a report block. */
  public int cumulativeLost() {
    long lost = expected() - received;
    return (int) Math.max(-0x800000L, Math.min(0x7fffffL, lost));
  }

  /**
   * The fraction lost since the previous call, as the 8-bit fixed point of a report block, and
   * starts a new interval.
   */
  public int takeFractionLost() {
    long expected = expected();
    long expectedInterval = expected - expectedPrior;
    expectedPrior = expected;
    long receivedInterval = received - receivedPrior;
    receivedPrior = received;
    long lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval == 0 || lostInterval <= 0) {
      return 0;
    }
    return (int) ((lostInterval << 8) / expectedInterval);
  }
}
