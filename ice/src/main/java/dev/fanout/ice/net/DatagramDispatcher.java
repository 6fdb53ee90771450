package dev.fanout.ice.net;

import dev.fanout.rtp.PacketClass;
import io.netty.channel.socket.DatagramPacket;

/**
 * Where the media port hands each classified datagram. The dispatcher owns the packet from the
 * call on and must release it (or pass it on to something that will).
 */
@FunctionalInterface
public interface DatagramDispatcher {
  /** Drops every datagram: the port only counts. */
  DatagramDispatcher DROP_ALL = (cls, packet) -> packet.release();

  void dispatch(PacketClass cls, DatagramPacket packet);
}
