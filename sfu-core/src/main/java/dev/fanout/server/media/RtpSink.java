package dev.fanout.server.media;

/**
 * The outgoing stage a {@link DownTrack} writes into: a subscriber's transport today; a relay to
 * another node or a recorder can be one too. A down track rewrites each packet straight into
 * {@link #sendBuffer()} and hands it over with {@link #sendRtp}; the sink encrypts and sends it
 * (or copies it) before the call returns, so the buffer is free again at once. Called on the
 * room's loop only.
 */
public interface RtpSink {
  /** Whether packets can go out now (a transport: ICE and DTLS are up). */
  boolean ready();

  /** Where the next packet is written; room for SRTP's tag must stay after the packet. */
  byte[] sendBuffer();

  /** Scratch for a cached packet being turned into a repair; distinct from {@link #sendBuffer()}. */
  byte[] repairBuffer();

  /** The next transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
  int nextTransportSeq();

  /** Records that the packet stamped {@code transportSeq} of {@code size} bytes goes out now. */
  void sent(int transportSeq, int size, long nowNanos);

  /** Sends {@code len} bytes of {@link #sendBuffer()} from {@code off}; whether they went out. */
  boolean sendRtp(byte[] buf, int off, int len);
}
