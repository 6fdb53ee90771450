package dev.fanout.rtp.feedback;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.SequenceNumbers;
import dev.fanout.rtp.rtcp.Rtcp;
import dev.fanout.rtp.rtcp.TransportCc;
import java.util.Arrays;

/**
 * The receive side of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): records when each transport-wide sequence
 * number arrived and writes the RTPFB FMT 15 feedback (§3.1) that lets the sender estimate the
 * bandwidth.
 *
 * <p>Usage, on the transport's event loop: {@link #onPacket} for every received RTP packet that
 * carries the transport-wide sequence number extension (RTX and padding packets included: they
 * have their own transport-wide numbers), and on a timer (every 50–100 ms) {@code while
 * (hasPendingFeedback()) { n = write(buf, 0, max, ...); send n bytes }}. Every call to {@link
 * #write} with {@code maxBytes >= } {@link #MIN_FEEDBACK_BYTES} reports at least one packet, so
 * that loop ends.
 *
 * <p>Behaviour (the same design as a WebRTC receiver):
 *
 * <ul>
 *   <li>Each feedback starts at the first sequence number not yet reported (its base, which may be
 *       a lost packet) and covers everything received after it; missing numbers are {@code
 *       NOT_RECEIVED}. The reference time is the first received packet's arrival rounded down to
 *       64 ms; each delta is the arrival relative to the previous received packet in the feedback
 *       (the first: to the reference time), rounded to 250 µs. Deltas add up the rounded values,
 *       so rounding errors never accumulate: every arrival is reproduced within 125 µs.
 *   <li>A feedback packet ends early, and the next one continues after it, when a delta does not
 *       fit the signed 16-bit large delta (±8.19 s) or the packet would exceed the byte budget.
 *   <li>Duplicates keep the first arrival. A reordered packet that arrives after its number was
 *       reported (as lost) moves the start of the next feedback back to it, so the sender learns
 *       it did arrive; the packets after it are reported again with the same times, which a
 *       sender ignores. Reported packets are kept for {@code backWindowNanos} of arrival time
 *       (500 ms by default) for this; anything older is ignored and counted as {@link #late()}.
 *   <li>Memory is one ring of {@code capacity} arrival times indexed by the extended sequence
 *       number. A forward jump beyond the ring, or two consecutive packets more than a ring
 *       behind (a sender that restarted its counter), reset the recorder to the new number.
 * </ul>
 *
 * <p>Allocation-free: all state is primitive fields, the ring and three chunk encoders allocated
 * by the constructor; {@link #onPacket} only reads and writes the ring, and {@link #write} encodes
 * straight into the caller's array, sizing the packet with a dry run of the same encoder first.
 *
 * <p>Not thread-safe; one recorder belongs to one transport's event loop.
 */
public final class TransportCcRecorder {
  /** Default ring size: 8192 sequence numbers, about 8 s of a 1000 packet/s publisher. */
  public static final int DEFAULT_CAPACITY = 8192;
  /** How long reported packets are kept so a late arrival can still be reported. */
  public static final long DEFAULT_BACK_WINDOW_NANOS = 500_000_000L;
  /**
   * The smallest byte budget {@link #write} accepts: a header, a run of lost packets, one status
   * chunk and a large delta, padded to 32 bits.
   */
  public static final int MIN_FEEDBACK_BYTES = 28;

  private static final long NONE = Long.MIN_VALUE;
  private static final int HEADER = 20;
  /** Largest run-length chunk, and so the largest ring: a leading run of lost packets fits one chunk. */
  private static final int MAX_RUN = 0x1fff;
  private static final long NANOS_PER_MICRO = 1000;
  private static final long REFERENCE_TICK_MICROS = TransportCc.REFERENCE_TICK_MILLIS * 1000L;
  private static final long DELTA_TICK_MICROS = TransportCc.DELTA_TICK_MICROS;

  private final long[] arrivals;
  private final int mask;
  private final long backWindowNanos;
  private final ChunkEncoder sizing = new ChunkEncoder();
  private final ChunkEncoder trial = new ChunkEncoder();
  private final ChunkEncoder output = new ChunkEncoder();

  private boolean started;
  /** Oldest extended sequence number held (inclusive). */
  private long begin;
  /** One after the newest extended sequence number held; its predecessor was received. */
  private long end;
  /** Below this nothing is accepted again (pruned or evicted, or before a reset). */
  private long floor;
  /** First extended sequence number the next feedback reports. */
  private long windowStart;
  /** A packet more than a ring behind waits here for a successor that confirms a restart. */
  private long restartCandidate = NONE;
  private long latestArrival = NONE;
  private int feedbackCount;

  private long packets;
  private long duplicates;
  private long late;
  private long resets;
  private long feedbackPackets;

  public TransportCcRecorder() {
    this(DEFAULT_CAPACITY, DEFAULT_BACK_WINDOW_NANOS);
  }

  /**
   * @param capacity sequence numbers remembered: a power of two in 16..8192
   * @param backWindowNanos how long (in arrival time) reported packets stay available for a late
   *     arrival to be reported with them
   */
  public TransportCcRecorder(int capacity, long backWindowNanos) {
    if (capacity < 16 || capacity > MAX_RUN + 1 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity " + capacity + " is not a power of two in 16..8192");
    }
    if (backWindowNanos < 0) {
      throw new IllegalArgumentException("back window " + backWindowNanos);
    }
    this.arrivals = new long[capacity];
    this.mask = capacity - 1;
    this.backWindowNanos = backWindowNanos;
    Arrays.fill(arrivals, NONE);
  }

  /**
   * Records that the packet with transport-wide sequence number {@code transportSeq} (16 bits)
   * arrived at {@code arrivalNanos} (any monotonic clock in nanoseconds, the same for every call).
   */
  public void onPacket(int transportSeq, long arrivalNanos) {
    int seq = transportSeq & 0xffff;
    if (!started) {
      started = true;
      restart(seq);
      floor = Long.MIN_VALUE; // a packet reordered before the very first one is still welcome
    }
    long newest = end - 1;
    long ext = newest + SequenceNumbers.diff(seq, (int) (newest & 0xffff));
    long candidate = restartCandidate;
    restartCandidate = NONE;
    if (ext >= end) {
      if (ext - newest > arrivals.length) {
        restart(ext);
      } else {
        clear(end, ext + 1);
        end = ext + 1;
        if (end - begin > arrivals.length) {
          begin = end - arrivals.length;
          floor = begin;
          windowStart = Math.max(windowStart, begin);
        }
      }
    } else if (ext < begin) {
      boolean beyondRing = end - ext > arrivals.length;
      if (beyondRing && ext == candidate) {
        restart(ext);
      } else if (beyondRing || ext < floor) {
        if (beyondRing) {
          restartCandidate = ext + 1;
        }
        late++;
        return;
      } else {
        clear(ext, begin);
        begin = ext;
      }
    }
    int slot = (int) (ext & mask);
    if (arrivals[slot] != NONE) {
      duplicates++;
      return;
    }
    arrivals[slot] = arrivalNanos;
    packets++;
    if (latestArrival == NONE || arrivalNanos > latestArrival) {
      latestArrival = arrivalNanos;
    }
    if (ext < windowStart) {
      windowStart = ext;
    }
  }

  private void restart(long ext) {
    if (started && packets > 0) {
      resets++;
    }
    Arrays.fill(arrivals, NONE);
    begin = ext;
    end = ext + 1;
    floor = ext;
    windowStart = ext;
    restartCandidate = NONE;
  }

  /** Marks {@code [from, to)} as not received; at most one pass over the ring. */
  private void clear(long from, long to) {
    if (to - from >= arrivals.length) {
      Arrays.fill(arrivals, NONE);
      return;
    }
    for (long s = from; s < to; s++) {
      arrivals[(int) (s & mask)] = NONE;
    }
  }

  /** Whether packets arrived that no feedback has reported yet. */
  public boolean hasPendingFeedback() {
    return windowStart < end;
  }

  /**
   * Writes feedback for everything received since the last feedback as one or more complete
   * RTCP transport-cc packets, back to back, in at most {@code maxBytes} bytes at {@code off}.
   * What does not fit stays pending for the next call ({@link #hasPendingFeedback()}).
   *
   * @param maxBytes the budget for this datagram (leave room for the SRTCP trailer); at least
   *     {@link #MIN_FEEDBACK_BYTES}
   * @param senderSsrc the SSRC the feedback is sent from
   * @param mediaSsrc the media source SSRC field (any SSRC of the stream the feedback is about)
   * @return the bytes written, 0 when nothing is pending
   * @throws IllegalArgumentException when {@code maxBytes} is below the minimum or the range is
   *     outside {@code dst}
   */
  public int write(byte[] dst, int off, int maxBytes, int senderSsrc, int mediaSsrc) {
    if (maxBytes < MIN_FEEDBACK_BYTES) {
      throw new IllegalArgumentException("feedback needs at least " + MIN_FEEDBACK_BYTES + " bytes, got " + maxBytes);
    }
    if (off < 0 || off > dst.length - maxBytes) {
      throw new IllegalArgumentException(maxBytes + " bytes at " + off + " do not fit " + dst.length);
    }
    int written = 0;
    while (hasPendingFeedback()) {
      int n = writeOne(dst, off + written, maxBytes - written, senderSsrc, mediaSsrc);
      if (n == 0) {
        break;
      }
      written += n;
    }
    if (written > 0) {
      prune();
    }
    return written;
  }

  /** One feedback packet from {@link #windowStart}, or 0 when not even one packet fits. */
  private int writeOne(byte[] dst, int off, int budget, int senderSsrc, int mediaSsrc) {
    if (budget < MIN_FEEDBACK_BYTES) {
      return 0;
    }
    long first = windowStart;
    while (arrivals[(int) (first & mask)] == NONE) {
      first++; // ends: the newest held number (end - 1) was received
    }
    long referenceTicks = Math.floorDiv(micros(arrivals[(int) (first & mask)]), REFERENCE_TICK_MICROS);
    long stop = encode(referenceTicks, budget);
    if (stop == windowStart) {
      return 0;
    }
    int chunkBytes = 2 * sizing.chunkCount();
    int unpadded = sizing.unpaddedSize();
    int size = (unpadded + 3) & ~3;
    int padding = size - unpadded;
    output.reset(dst, off + HEADER);
    encodeInto(referenceTicks, stop, dst, off + HEADER + chunkBytes);
    output.finish();
    assert output.chunkCount() == sizing.chunkCount();

    dst[off] = (byte) (0x80 | (padding > 0 ? 0x20 : 0) | Rtcp.FMT_TRANSPORT_CC);
    dst[off + 1] = (byte) Rtcp.RTPFB;
    Bytes.put16(dst, off + 2, size / 4 - 1);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, mediaSsrc);
    Bytes.put16(dst, off + 12, (int) (windowStart & 0xffff));
    Bytes.put16(dst, off + 14, (int) (stop - windowStart));
    Bytes.put24(dst, off + 16, (int) (referenceTicks & 0xffffff));
    dst[off + 19] = (byte) feedbackCount;
    if (padding > 0) {
      Arrays.fill(dst, off + unpadded, off + size - 1, (byte) 0);
      dst[off + size - 1] = (byte) padding;
    }
    feedbackCount = (feedbackCount + 1) & 0xff;
    feedbackPackets++;
    windowStart = stop;
    return size;
  }

  /**
   * Dry run: how far from {@link #windowStart} one packet of at most {@code budget} bytes reaches.
   * Leaves the final sizes in {@link #sizing} and returns one past the last sequence number
   * included (always a received one).
   */
  private long encode(long referenceTicks, int budget) {
    sizing.reset(null, 0);
    long last = referenceTicks * REFERENCE_TICK_MICROS;
    long stop = windowStart;
    for (long s = windowStart; s < end; s++) {
      long t = arrivals[(int) (s & mask)];
      if (t == NONE) {
        continue;
      }
      long ticks = Math.floorDiv(micros(t) - last + DELTA_TICK_MICROS / 2, DELTA_TICK_MICROS);
      if (ticks < Short.MIN_VALUE || ticks > Short.MAX_VALUE) {
        break;
      }
      trial.copyFrom(sizing);
      for (long g = stop; g < s; g++) {
        trial.add(TransportCc.NOT_RECEIVED);
      }
      trial.add(TransportCc.symbolFor((int) ticks));
      if (((trial.unpaddedSize() + 3) & ~3) > budget) {
        break;
      }
      sizing.copyFrom(trial);
      last += ticks * DELTA_TICK_MICROS;
      stop = s + 1;
    }
    return stop;
  }

  /** The real run over {@code [windowStart, stop)}: chunks through {@link #output}, deltas at {@code p}. */
  private void encodeInto(long referenceTicks, long stop, byte[] dst, int p) {
    long last = referenceTicks * REFERENCE_TICK_MICROS;
    for (long s = windowStart; s < stop; s++) {
      long t = arrivals[(int) (s & mask)];
      if (t == NONE) {
        output.add(TransportCc.NOT_RECEIVED);
        continue;
      }
      int ticks = (int) Math.floorDiv(micros(t) - last + DELTA_TICK_MICROS / 2, DELTA_TICK_MICROS);
      last += ticks * DELTA_TICK_MICROS;
      int symbol = TransportCc.symbolFor(ticks);
      output.add(symbol);
      if (symbol == TransportCc.SMALL_DELTA) {
        dst[p++] = (byte) ticks;
      } else {
        Bytes.put16(dst, p, ticks);
        p += 2;
      }
    }
  }

  /**
   * Forgets reported packets older than the back window, so a late arrival can no longer reopen
   * feedback that far back.
   */
  private void prune() {
    long cutoff = latestArrival - backWindowNanos;
    while (begin < windowStart) {
      long t = arrivals[(int) (begin & mask)];
      if (t != NONE && t > cutoff) {
        break;
      }
      begin++;
    }
    floor = begin;
  }

  private static long micros(long nanos) {
    return Math.floorDiv(nanos, NANOS_PER_MICRO);
  }

  /** Packets recorded (first arrivals only). */
  public long packets() {
    return packets;
  }

  /** Arrivals of a sequence number already recorded. */
  public long duplicates() {
    return duplicates;
  }

  /** Arrivals too old to report (behind the ring or the back window) and ignored. */
  public long late() {
    return late;
  }

  /** Times the recorder started over after a jump of the sequence numbers. */
  public long resets() {
    return resets;
  }

  /** Feedback packets written. */
  public long feedbackPackets() {
    return feedbackPackets;
  }

  /**
   * Packet status chunks of one feedback packet, chosen greedily as symbols come in: a chunk
   * collects symbols while they still fit one run-length chunk (all the same, up to 8191), one
   * 14-symbol one-bit vector (no large delta) or one 7-symbol two-bit vector; when the next symbol
   * fits none, the chunk is written and the symbols not yet written start the next one. The
   * encoder knows the exact packet size after every symbol, which is what lets {@link
   * TransportCcRecorder} stop at a byte budget.
   */
  private static final class ChunkEncoder {
    private static final int VECTOR_ONE_BIT = 14;
    private static final int VECTOR_TWO_BIT = 7;

    /** The first symbols of the open chunk (a longer run repeats {@code pending[0]}). */
    private final byte[] pending = new byte[VECTOR_ONE_BIT];
    private int size;
    private boolean allSame;
    private boolean hasLarge;
    private int chunks;
    private int deltaBytes;
    private byte[] out;
    private int outOff;

    void reset(byte[] out, int outOff) {
      this.out = out;
      this.outOff = outOff;
      size = 0;
      allSame = true;
      hasLarge = false;
      chunks = 0;
      deltaBytes = 0;
    }

    void copyFrom(ChunkEncoder o) {
      System.arraycopy(o.pending, 0, pending, 0, VECTOR_ONE_BIT);
      size = o.size;
      allSame = o.allSame;
      hasLarge = o.hasLarge;
      chunks = o.chunks;
      deltaBytes = o.deltaBytes;
      out = o.out;
      outOff = o.outOff;
    }

    /** Chunks the packet has so far, the open one included. */
    int chunkCount() {
      return chunks + (size > 0 ? 1 : 0);
    }

    /** Header, chunks and deltas, before padding to 32 bits. */
    int unpaddedSize() {
      return HEADER + 2 * chunkCount() + deltaBytes;
    }

    void add(int symbol) {
      if (!fits(symbol)) {
        emit();
      }
      if (size == 0) {
        allSame = true;
        hasLarge = false;
      } else if (symbol != pending[0]) {
        allSame = false;
      }
      if (symbol == TransportCc.LARGE_DELTA) {
        hasLarge = true;
      }
      if (size < VECTOR_ONE_BIT) {
        pending[size] = (byte) symbol;
      }
      size++;
      deltaBytes += symbol; // NOT_RECEIVED 0, SMALL_DELTA 1, LARGE_DELTA 2 bytes
    }

    private boolean fits(int symbol) {
      if (size < VECTOR_TWO_BIT) {
        return true;
      }
      if (size < VECTOR_ONE_BIT && !hasLarge && symbol != TransportCc.LARGE_DELTA) {
        return true;
      }
      return allSame && symbol == pending[0] && size < MAX_RUN;
    }

    /** Writes the open chunk when the next symbol does not fit it (size is at least 7 then). */
    private void emit() {
      if (allSame) {
        put((pending[0] << 13) | size);
        size = 0;
      } else if (size == VECTOR_ONE_BIT) {
        put(oneBit());
        size = 0;
      } else {
        put(twoBit(VECTOR_TWO_BIT));
        int rest = size - VECTOR_TWO_BIT;
        System.arraycopy(pending, VECTOR_TWO_BIT, pending, 0, rest);
        size = rest;
        allSame = true;
        hasLarge = false;
        for (int i = 0; i < rest; i++) {
          allSame &= pending[i] == pending[0];
          hasLarge |= pending[i] == TransportCc.LARGE_DELTA;
        }
      }
    }

    /** Writes the open chunk, if any, at the end of the packet. */
    void finish() {
      if (size == 0) {
        return;
      }
      if (allSame) {
        put((pending[0] << 13) | size);
      } else if (size <= VECTOR_TWO_BIT) {
        put(twoBit(size));
      } else {
        put(oneBit()); // more than 7 different symbols in a chunk: none is a large delta
      }
      size = 0;
    }

    private int oneBit() {
      int chunk = 0x8000;
      for (int i = 0; i < size; i++) {
        chunk |= pending[i] << (13 - i);
      }
      return chunk;
    }

    private int twoBit(int n) {
      int chunk = 0xc000;
      for (int i = 0; i < n; i++) {
        chunk |= pending[i] << (2 * (6 - i));
      }
      return chunk;
    }

    private void put(int chunk) {
      if (out != null) {
        Bytes.put16(out, outOff + 2 * chunks, chunk);
      }
      chunks++;
    }
  }
}
