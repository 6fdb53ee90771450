package dev.fanout.server.room;

import java.util.Base64;

/**
 * The limits on data messages (docs/protocol.md, {@code send-data}): the size of one payload and,
 * per participant, how many messages and bytes it may send per second. A message to a room of N
 * is sent N - 1 times, so an unlimited sender could fill every other participant's outgoing
 * buffer and get them removed as slow readers. Two token buckets, one second deep; confined to
 * the room's loop.
 */
public final class DataLimit {
  /** The largest payload, decoded (LiveKit's reliable data packets stop at about the same size). */
  public static final int MAX_PAYLOAD_BYTES = 15 * 1024;
  public static final int MESSAGES_PER_SECOND = 60;
  public static final int BYTES_PER_SECOND = 64 * 1024;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private double messages = MESSAGES_PER_SECOND;
  private double bytes = BYTES_PER_SECOND;
  private long lastNanos = Long.MIN_VALUE;

  /**
   * The size of a payload in standard base64 (RFC 4648 §4).
   *
   * @throws IllegalArgumentException saying what is wrong: not base64, empty or too large
   */
  public static int payloadBytes(String base64) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not base64 (RFC 4648 section 4)");
    }
    if (decoded.length == 0) {
      throw new IllegalArgumentException("is empty");
    }
    if (decoded.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("holds " + decoded.length + " bytes; at most " + MAX_PAYLOAD_BYTES + " are allowed");
    }
    return decoded.length;
  }

  /** Takes one message of {@code size} bytes from the buckets; false (taking nothing) if either is short. */
  boolean tryTake(int size, long nowNanos) {
    if (lastNanos != Long.MIN_VALUE) {
      double seconds = Math.max(0, nowNanos - lastNanos) / (double) NANOS_PER_SECOND;
      messages = Math.min(MESSAGES_PER_SECOND, messages + seconds * MESSAGES_PER_SECOND);
      bytes = Math.min(BYTES_PER_SECOND, bytes + seconds * BYTES_PER_SECOND);
    }
    lastNanos = nowNanos;
    if (messages < 1 || bytes < size) {
      return false;
    }
    messages -= 1;
    bytes -= size;
    return true;
  }
}
