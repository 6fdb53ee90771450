package dev.fanout.ice.net;

import dev.fanout.rtp.PacketClass;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;

/**
 * Where the media port hands each classified datagram. The dispatcher owns the packet from the
 * call on and must release it (or pass it on to something that will).
 *
 * <p>Both methods run on the port channel's event loop, {@link #attach} before any datagram.
 */
@FunctionalInterface
public interface DatagramDispatcher {
  /** Drops every datagram: the port only counts. */
  DatagramDispatcher DROP_ALL = (cls, packet) -> packet.release();

  void dispatch(PacketClass cls, DatagramPacket packet);

  /**
   * Called once with the port's channel when the port's handler is installed, before the first
   * {@link #dispatch}: the channel sends datagrams and its event loop runs timers.
   */
  default void attach(Channel channel) {}
}
