package dev.fanout.testkit.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * One client of the emulator, as a NAT keeps it: the client's address, and the socket of its own
 * that talks to the target for it, so the target sees one address per client and its answers
 * find their way back. Confined to the emulator's loop once created.
 */
final class Flow {
  final InetSocketAddress client;
  final Lane up;
  final Lane down;
  Channel upstream;
  ChannelFuture bound;

  Flow(InetSocketAddress client, Lane up, Lane down) {
    this.client = client;
    this.up = up;
    this.down = down;
  }
}
