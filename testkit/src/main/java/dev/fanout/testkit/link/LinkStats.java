package dev.fanout.testkit.link;

/**
 * What one direction of a {@link LinkEmulator} has done since it started; a snapshot. Every
 * datagram that came in is, at any moment, either forwarded, dropped for one of the reasons
 * below, or still held (queued or delayed):
 * {@code packetsIn = packetsForwarded + lostRandom + lostBurst + droppedQueueFull + droppedOther + held}.
 *
 * @param packetsIn datagrams that reached the emulator in this direction
 * @param bytesIn their payload bytes
 * @param packetsForwarded datagrams written out after the link's conditions
 * @param bytesForwarded their payload bytes
 * @param lostRandom datagrams lost by the independent random loss
 * @param lostBurst datagrams lost by the Gilbert–Elliott burst model
 * @param droppedQueueFull datagrams dropped at the tail of a full queue
 * @param droppedOther datagrams the emulator could not carry: from an unexpected sender, beyond
 *     the client limit, failed to send, or still held when the emulator closed
 */
public record LinkStats(long packetsIn, long bytesIn, long packetsForwarded, long bytesForwarded, long lostRandom,
    long lostBurst, long droppedQueueFull, long droppedOther) {

  /** Datagrams dropped for any reason. */
  public long dropped() {
    return lostRandom + lostBurst + droppedQueueFull + droppedOther;
  }

  /** Datagrams still in the queue or the delay line when the snapshot was taken. */
  public long held() {
    return packetsIn - packetsForwarded - dropped();
  }

  /** The counts since {@code earlier}, a snapshot of the same direction. */
  public LinkStats since(LinkStats earlier) {
    return new LinkStats(packetsIn - earlier.packetsIn, bytesIn - earlier.bytesIn,
        packetsForwarded - earlier.packetsForwarded, bytesForwarded - earlier.bytesForwarded,
        lostRandom - earlier.lostRandom, lostBurst - earlier.lostBurst,
        droppedQueueFull - earlier.droppedQueueFull, droppedOther - earlier.droppedOther);
  }
}
