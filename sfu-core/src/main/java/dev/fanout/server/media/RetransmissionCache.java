package dev.fanout.server.media;

import io.netty.buffer.ByteBuf;

/**
 * The last packets of one producer's stream, kept as copies of the original (decrypted,
 * not yet rewritten) bytes so NACKs can be answered (RFC 4585 §6.2.1). Slots are byte arrays
 * allocated once and reused, so caching costs one copy and no garbage; a packet is never kept by
 * reference (mediasoup's #1558 stored an already-rewritten packet).
 *
 * <p>Capacity is a power of two; a slot is found by {@code seq & mask}, and an entry is valid
 * only while it still holds that exact sequence number and is younger than {@code maxAgeNanos}.
 * Not thread-safe: used on the room's loop.
 */
public final class RetransmissionCache {
  /** Largest packet cached; longer ones are not kept. */
  public static final int MAX_PACKET = 1500;

  private final int mask;
  private final byte[][] data;
  private final int[] lengths;
  private final int[] seqs;
  private final long[] storedAt;
  private final long maxAgeNanos;

  /**
   * @param capacity slots, rounded up to a power of two (1024 holds ≥ 2 s of 4 Mbit/s video)
   * @param maxAgeNanos how long a packet stays answerable
   */
  public RetransmissionCache(int capacity, long maxAgeNanos) {
    int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    this.mask = size - 1;
    this.data = new byte[size][];
    this.lengths = new int[size];
    this.seqs = new int[size];
    this.storedAt = new long[size];
    this.maxAgeNanos = maxAgeNanos;
    java.util.Arrays.fill(seqs, -1);
  }

  /** Copies a packet in; returns false if it is too long to cache. */
  public boolean store(int seq, ByteBuf src, int offset, int length, long nowNanos) {
    if (length > MAX_PACKET) {
      return false;
    }
    int slot = slot(seq, nowNanos, length);
    src.getBytes(offset, data[slot], 0, length);
    return true;
  }

  /** Copies a packet in; returns false if it is too long to cache. */
  public boolean store(int seq, byte[] src, int offset, int length, long nowNanos) {
    if (length > MAX_PACKET) {
      return false;
    }
    int slot = slot(seq, nowNanos, length);
    System.arraycopy(src, offset, data[slot], 0, length);
    return true;
  }

  private int slot(int seq, long nowNanos, int length) {
    seq &= 0xffff;
    int slot = seq & mask;
    if (data[slot] == null) {
      data[slot] = new byte[MAX_PACKET];
    }
    seqs[slot] = seq;
    lengths[slot] = length;
    storedAt[slot] = nowNanos;
    return slot;
  }

  /**
   * Copies the cached packet with this sequence number into {@code dst} at its writer index and
   * advances it. Returns the length copied, or -1 when the packet is absent or too old.
   */
  public int copyTo(int seq, ByteBuf dst, long nowNanos) {
    int slot = freshSlot(seq, nowNanos);
    if (slot < 0) {
      return -1;
    }
    dst.writeBytes(data[slot], 0, lengths[slot]);
    return lengths[slot];
  }

  /**
   * Copies the cached packet with this sequence number into {@code dst} at {@code offset}, which
   * must have room for {@link #MAX_PACKET} bytes. Returns the length copied, or -1 when the packet
   * is absent or too old.
   */
  public int copyTo(int seq, byte[] dst, int offset, long nowNanos) {
    int slot = freshSlot(seq, nowNanos);
    if (slot < 0) {
      return -1;
    }
    System.arraycopy(data[slot], 0, dst, offset, lengths[slot]);
    return lengths[slot];
  }

  /** Whether a packet with this sequence number is cached and fresh. */
  public boolean contains(int seq, long nowNanos) {
    return freshSlot(seq, nowNanos) >= 0;
  }

  /** The slot holding {@code seq} if it is younger than the maximum age, else -1. */
  private int freshSlot(int seq, long nowNanos) {
    seq &= 0xffff;
    int slot = seq & mask;
    return seqs[slot] == seq && nowNanos - storedAt[slot] <= maxAgeNanos ? slot : -1;
  }

  public int capacity() {
    return mask + 1;
  }
}
