package dev.fanout.ice;

import java.net.InetSocketAddress;

/**
 * What an {@link IceTransport} tells its owner. Called on the media port's event loop: do not
 * block; hand work to your own event loop. Exceptions thrown here are logged and ignored.
 */
public interface IceTransportListener {
  /**
   * The peer nominated {@code current} (USE-CANDIDATE in a valid check). {@code previous} is null
   * the first time (ICE connected); otherwise the peer moved (e.g. Wi-Fi to LTE) and everything
   * {@link IceTransport#send} sends from now on goes to {@code current}.
   */
  default void onSelectedAddressChanged(InetSocketAddress previous, InetSocketAddress current) {}

  /**
   * The transport failed and has already released its resources: it is unregistered, receives
   * nothing more and sends nothing more. Not called for {@link IceTransport#close()}.
   */
  void onFailed(IceTransport transport, IceFailure reason);
}
