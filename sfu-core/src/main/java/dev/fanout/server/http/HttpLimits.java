package dev.fanout.server.http;

import java.time.Duration;

/**
 * The listener's protections against clients that hold connections or memory.
 *
 * @param maxConnections open connections, all addresses together
 * @param maxConnectionsPerAddress open connections from one address (IPv6: one /64)
 * @param handshakeTimeout time to deliver a complete request, from opening and after each response
 * @param maxOutgoingBytes bytes a connection may leave unread before writes count as stuck
 *     (Netty's high write-buffer water mark; the WebSocket handler closes a slow reader there)
 */
public record HttpLimits(
    int maxConnections, int maxConnectionsPerAddress, Duration handshakeTimeout, int maxOutgoingBytes) {}
