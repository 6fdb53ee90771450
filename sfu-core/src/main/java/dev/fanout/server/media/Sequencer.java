package dev.fanout.server.media;

import java.util.Arrays;

/**
 * Remembers, for the last packets a subscription sent, which source packet each outgoing
 * sequence number carried: the layer (receive stream), its sequence number and the timestamp
 * sent. A NACK names outgoing sequence numbers; after a layer switch or a republish those map to
 * another stream than the current one, so the mapping must be remembered per packet, not derived
 * from today's offset. A ring indexed by {@code outSeq & mask}; an entry is valid only while it
 * still holds that outgoing sequence number. Not thread-safe: one per subscription.
 */
final class Sequencer {
  private final int mask;
  /**
   * One word per entry, so that recording a packet writes 8 bytes and reads nothing: the ring is
   * cold memory (it turns over every {@code capacity} packets) and every subscription of a
   * packet writes its own, so each byte per entry costs (ForwardingBenchmark). Bits 48–63: the
   * outgoing sequence number with its low bits (those the index already gives) replaced by the
   * layer's slot in {@link #slots}, 0 for an empty entry; source sequence number (32–47);
   * timestamp sent (0–31).
   */
  private final long[] entries;
  /** The layers entries name, by slot; slot 0 is never used. */
  private final Producer.Layer[] slots;
  private int usedSlots;
  /** The layer of the last record and its slot: the same layer packet after packet. */
  private Producer.Layer lastLayer;
  private int lastSlot;

  /** @param capacity entries, a power of two from 16 to 32768 */
  Sequencer(int capacity) {
    if (Integer.bitCount(capacity) != 1 || capacity < 16 || capacity > 1 << 15) {
      throw new IllegalArgumentException("capacity must be a power of two from 16 to 32768: " + capacity);
    }
    mask = capacity - 1;
    entries = new long[capacity];
    // A producer has a few layers (at most 64 SSRCs per publisher): room for all of them.
    slots = new Producer.Layer[Math.min(capacity, 256)];
  }

  void record(int outSeq, Producer.Layer layer, int inSeq, long outTimestamp) {
    int slot = layer == lastLayer ? lastSlot : slot(layer);
    entries[outSeq & mask] = (long) (outSeq & 0xffff & ~mask | slot) << 48 | (long) (inSeq & 0xffff) << 32
        | (outTimestamp & 0xffffffffL);
  }

  /** The slot of {@code layer}, given one if it has none (and, if none is free, forgetting every entry). */
  private int slot(Producer.Layer layer) {
    int slot = 0;
    for (int s = 1; s <= usedSlots; s++) {
      if (slots[s] == layer) {
        slot = s;
        break;
      }
    }
    if (slot == 0) {
      if (usedSlots == slots.length - 1) {
        Arrays.fill(entries, 0);
        Arrays.fill(slots, null);
        usedSlots = 0;
      }
      slot = ++usedSlots;
      slots[slot] = layer;
    }
    lastLayer = layer;
    lastSlot = slot;
    return slot;
  }

  /** The layer that carried {@code outSeq}, or null when it is no longer remembered. */
  Producer.Layer layer(int outSeq) {
    int top = (int) (entries[outSeq & mask] >>> 48);
    int slot = top & mask;
    return slot != 0 && (top & ~mask) == (outSeq & 0xffff & ~mask) ? slots[slot] : null;
  }

  /** The source sequence number of {@code outSeq}; valid when {@link #layer} is not null. */
  int inSeq(int outSeq) {
    return (int) (entries[outSeq & mask] >>> 32) & 0xffff;
  }

  /** The timestamp {@code outSeq} was sent with; valid when {@link #layer} is not null. */
  long timestamp(int outSeq) {
    return entries[outSeq & mask] & 0xffffffffL;
  }
}
