package dev.fanout.server.room;

/**
 * The signaling connection of one participant, as the room sees it. Implementations are
 * thread-safe: the room calls them from its event loop.
 */
public interface ClientConnection {
  /** Queues one text message for the client. */
  void send(String message);

  /** Closes the connection with a WebSocket close status and reason. */
  void close(int status, String reason);

  /** For logs. */
  String describe();
}
