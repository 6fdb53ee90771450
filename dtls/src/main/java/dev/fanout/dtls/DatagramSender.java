package dev.fanout.dtls;

import io.netty.buffer.ByteBuf;

/**
 * Writes one outgoing DTLS datagram to the peer's ICE-validated address.
 *
 * <p>Called from a handshake thread during the handshake and, afterwards, from whichever thread
 * called {@link DtlsConnection#onDatagram}, {@link DtlsConnection#send} or {@link
 * DtlsConnection#close}; it must be thread-safe and must not block (a Netty
 * {@code channel.writeAndFlush} is both). Never called after {@link DtlsConnection#close}
 * returns.
 */
@FunctionalInterface
public interface DatagramSender {
  /**
   * Sends one datagram. Takes ownership of {@code datagram}: the implementation must write or
   * release it.
   */
  void send(ByteBuf datagram);
}
