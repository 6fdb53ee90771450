package dev.fanout.server.media;

/**
 * Maps one subscriber's view of a stream: the sequence numbers and RTP timestamps of whatever
 * source currently feeds it (a simulcast layer, a republished track) onto one continuous output
 * stream, as mediasoup's SeqManager and RtpStreamSend do.
 *
 * <p>On the first packet after {@link #switchSource} (or the very first packet) the output
 * continues at the last output sequence number plus one and at the last output timestamp plus
 * the wall-clock time elapsed, so the subscriber sees neither a gap nor a timestamp jump. Within
 * a source, input gaps stay gaps (the subscriber NACKs them) and late packets from before the
 * switch are dropped. Not thread-safe: one instance per consumer, used on the room's loop.
 */
public final class StreamRewriter {
  private final long clockRate;

  private boolean started;
  private boolean switching = true;
  /** Extended input sequence number of the first packet of the current source. */
  private long sourceBaseExtSeq;
  private int lastInSeq;
  private long inExtSeq;
  private int seqOffset;
  private long tsOffset;
  private int lastOutSeq;
  private long lastOutTs;
  private long lastOutNanos;
  private long packets;

  // Results of the last accepted rewrite().
  private int outSeq;
  private long outTs;

  /** @param clockRate the RTP clock rate of the codec (48000 for Opus, 90000 for video) */
  public StreamRewriter(int clockRate) {
    this.clockRate = clockRate;
  }

  /** The next packet starts a new source (new SSRC, new simulcast layer, republished track). */
  public void switchSource() {
    switching = true;
  }

  /**
   * Rewrites one packet. Returns false when the packet must not be forwarded (it belongs to the
   * previous source, or is older than the current source's first packet).
   */
  public boolean rewrite(int inSeq, long inTimestamp, long nowNanos) {
    inSeq &= 0xffff;
    inTimestamp &= 0xffffffffL;
    if (switching) {
      switching = false;
      int nextSeq = started ? (lastOutSeq + 1) & 0xffff : inSeq;
      long nextTs;
      if (started) {
        long elapsed = Math.max(0, nowNanos - lastOutNanos);
        long ticks = Math.max(1, elapsed * clockRate / 1_000_000_000L);
        nextTs = (lastOutTs + ticks) & 0xffffffffL;
      } else {
        nextTs = inTimestamp;
      }
      seqOffset = (nextSeq - inSeq) & 0xffff;
      tsOffset = (nextTs - inTimestamp) & 0xffffffffL;
      lastInSeq = inSeq;
      inExtSeq = 1L << 16;
      sourceBaseExtSeq = inExtSeq;
    } else {
      int delta = (short) (inSeq - lastInSeq);
      long ext = inExtSeq + delta;
      if (ext < sourceBaseExtSeq) {
        return false; // from before the source switch: the subscriber never saw that source
      }
      if (delta > 0) {
        lastInSeq = inSeq;
        inExtSeq = ext;
      }
    }
    started = true;
    outSeq = (inSeq + seqOffset) & 0xffff;
    outTs = (inTimestamp + tsOffset) & 0xffffffffL;
    if (packets == 0 || (short) (outSeq - lastOutSeq) > 0) {
      lastOutSeq = outSeq;
      lastOutTs = outTs;
      lastOutNanos = nowNanos;
    }
    packets++;
    return true;
  }

  /** Output sequence number of the last accepted packet. */
  public int outSeq() {
    return outSeq;
  }

  /** Output timestamp of the last accepted packet. */
  public long outTimestamp() {
    return outTs;
  }

  /** Highest output sequence number sent so far. */
  public int highestOutSeq() {
    return lastOutSeq;
  }

  /** The input sequence number (of the current source) that produced {@code outSeq}. */
  public int inputSeqOf(int outSeq) {
    return (outSeq - seqOffset) & 0xffff;
  }

  /** Maps an input (source) RTP timestamp to output, e.g. for sender reports. */
  public long outputTimestampOf(long inTimestamp) {
    return (inTimestamp + tsOffset) & 0xffffffffL;
  }

  public boolean started() {
    return started;
  }
}
