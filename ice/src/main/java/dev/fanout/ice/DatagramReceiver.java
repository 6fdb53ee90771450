package dev.fanout.ice;

import dev.fanout.rtp.PacketClass;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Receives the DTLS and RTP/RTCP datagrams of one {@link IceTransport}: only ever from an address
 * that passed an ICE check for that transport.
 *
 * <p>Ownership: the receiver owns {@code datagram} from the call on, even when it throws, and must
 * release it (or pass it on to code that will). Threading: called on the media port's event loop;
 * a receiver that runs its room on another event loop re-dispatches there (e.g.
 * {@code roomLoop.execute(() -> handle(datagram))}), taking the buffer with it.
 */
@FunctionalInterface
public interface DatagramReceiver {
  /**
   * @param cls {@link PacketClass#DTLS} or {@link PacketClass#RTP_RTCP}
   * @param datagram the whole UDP payload as readable bytes
   * @param sender the validated remote address it came from
   */
  void onDatagram(PacketClass cls, ByteBuf datagram, InetSocketAddress sender);
}
