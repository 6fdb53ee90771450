package dev.fanout.ice.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;

/**
 * The Netty transport the process uses: native epoll on Linux when its library loads, NIO
 * otherwise. {@code -Dfanout.transport=nio} forces NIO (to test the fallback).
 */
public enum NettyTransport {
  EPOLL,
  NIO;

  /** Epoll when available and not disabled by {@code fanout.transport=nio}. */
  public static NettyTransport detect() {
    String forced = System.getProperty("fanout.transport", "").toLowerCase(Locale.ROOT);
    if (forced.equals("nio")) {
      return NIO;
    }
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /** Why epoll is not in use, for the start line; null when it is. */
  public static String epollUnavailableReason() {
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? null : cause.toString();
  }

  /** A group of {@code threads} event loops (0: Netty's default, twice the cores). */
  public EventLoopGroup newEventLoopGroup(int threads, String threadNamePrefix) {
    IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix, true), factory);
  }

  public Class<? extends DatagramChannel> datagramChannelClass() {
    return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  public Class<? extends ServerSocketChannel> serverSocketChannelClass() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** Lower-case name for logs and health output. */
  public String displayName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
