package dev.fanout.rtp;

/**
 * What a datagram on the shared media port carries, decided by its first byte (RFC 7983 §7,
 * which updates RFC 5764 §5.1.2).
 *
 * <pre>
 *               +----------------+
 *               |        [0..3] -+--> STUN
 *               |                |
 *               |      [16..19] -+--> ZRTP     (dropped: not supported)
 *   datagram -->|                |
 *               |      [20..63] -+--> DTLS
 *               |                |
 *               |      [64..79] -+--> TURN channel (dropped: we are not a TURN server)
 *               |                |
 *               |    [128..191] -+--> RTP / RTCP
 *               +----------------+
 * </pre>
 *
 * Everything else, including an empty datagram, is {@link #UNKNOWN} and is dropped.
 */
public enum PacketClass {
  STUN,
  DTLS,
  RTP_RTCP,
  UNKNOWN;

  /** Classifies a datagram by its first byte, given as an int in 0..255 or -1 for empty. */
  public static PacketClass ofFirstByte(int firstByte) {
    if (firstByte < 0) {
      return UNKNOWN;
    }
    if (firstByte <= 3) {
      return STUN;
    }
    if (firstByte >= 20 && firstByte <= 63) {
      return DTLS;
    }
    if (firstByte >= 128 && firstByte <= 191) {
      return RTP_RTCP;
    }
    return UNKNOWN;
  }

  /** Classifies {@code length} bytes of {@code buf} starting at {@code offset}. */
  public static PacketClass of(byte[] buf, int offset, int length) {
    return length <= 0 ? UNKNOWN : ofFirstByte(buf[offset] & 0xff);
  }

  /** Classifies the readable bytes of a Netty buffer without moving its indices. */
  public static PacketClass of(io.netty.buffer.ByteBuf buf) {
    return buf.isReadable() ? ofFirstByte(buf.getUnsignedByte(buf.readerIndex())) : UNKNOWN;
  }
}
