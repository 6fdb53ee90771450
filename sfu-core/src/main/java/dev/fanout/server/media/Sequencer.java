package dev.fanout.server.media;

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
   * Per entry, packed so that recording a packet writes one word: with four parallel arrays here
   * and four in the transport's {@link SendHistory}, a packet forwarded to 100 subscribers spent
   * a fifth of its time on these two records (ForwardingBenchmark). Outgoing sequence number
   * (bits 48–63), source sequence number (32–47), timestamp sent (0–31).
   */
  private final long[] entries;
  /** The layer of each entry; null while the entry is empty. */
  private final Producer.Layer[] layers;

  /** @param capacity entries, a power of two */
  Sequencer(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    mask = capacity - 1;
    entries = new long[capacity];
    layers = new Producer.Layer[capacity];
  }

  void record(int outSeq, Producer.Layer layer, int inSeq, long outTimestamp) {
    int i = outSeq & mask;
    entries[i] = (long) (outSeq & 0xffff) << 48 | (long) (inSeq & 0xffff) << 32 | (outTimestamp & 0xffffffffL);
    if (layers[i] != layer) {
      layers[i] = layer; // mostly the same layer: a read, not a reference store with its barrier
    }
  }

  /** The layer that carried {@code outSeq}, or null when it is no longer remembered. */
  Producer.Layer layer(int outSeq) {
    int i = outSeq & mask;
    return (int) (entries[i] >>> 48) == (outSeq & 0xffff) ? layers[i] : null;
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
