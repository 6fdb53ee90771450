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
  private final int[] outSeqs;
  private final int[] inSeqs;
  private final int[] timestamps;
  private final Producer.Layer[] layers;

  /** @param capacity entries, a power of two */
  Sequencer(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    mask = capacity - 1;
    outSeqs = new int[capacity];
    inSeqs = new int[capacity];
    timestamps = new int[capacity];
    layers = new Producer.Layer[capacity];
    java.util.Arrays.fill(outSeqs, -1);
  }

  void record(int outSeq, Producer.Layer layer, int inSeq, long outTimestamp) {
    int i = outSeq & mask;
    outSeqs[i] = outSeq & 0xffff;
    inSeqs[i] = inSeq & 0xffff;
    timestamps[i] = (int) outTimestamp;
    layers[i] = layer;
  }

  /** The layer that carried {@code outSeq}, or null when it is no longer remembered. */
  Producer.Layer layer(int outSeq) {
    int i = outSeq & mask;
    return outSeqs[i] == (outSeq & 0xffff) ? layers[i] : null;
  }

  /** The source sequence number of {@code outSeq}; valid when {@link #layer} is not null. */
  int inSeq(int outSeq) {
    return inSeqs[outSeq & mask];
  }

  /** The timestamp {@code outSeq} was sent with; valid when {@link #layer} is not null. */
  long timestamp(int outSeq) {
    return timestamps[outSeq & mask] & 0xffffffffL;
  }
}
