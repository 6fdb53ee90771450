package dev.fanout.server.room;

import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.media.Peer;

/**
 * One joined client in a room: who it is, what its token grants and its signaling connection.
 * Its media (tracks, subscriptions, connections) is its {@link Peer} in the room's router.
 */
public final class Participant {
  private final String identity;
  private volatile String name;
  private volatile String metadata = "";
  private final AccessTokens.Grant grant;
  private final ClientConnection connection;
  private final Peer peer;
  private final long joinedAtMillis = System.currentTimeMillis();
  /** Confined to the room's loop. */
  private final DataLimit dataLimit = new DataLimit();

  Participant(AccessTokens.Grant grant, ClientConnection connection, Peer peer) {
    this.identity = grant.identity();
    this.name = grant.name();
    this.grant = grant;
    this.connection = connection;
    this.peer = peer;
  }

  public String identity() {
    return identity;
  }

  public String name() {
    return name;
  }

  /** Application data about the participant, set through the room service API; "" when none. */
  public String metadata() {
    return metadata;
  }

  void update(String name, String metadata) {
    if (name != null) {
      this.name = name;
    }
    if (metadata != null) {
      this.metadata = metadata;
    }
  }

  public AccessTokens.Grant grant() {
    return grant;
  }

  public ClientConnection connection() {
    return connection;
  }

  /** The participant's media in the room's router. */
  public Peer peer() {
    return peer;
  }

  public long joinedAtMillis() {
    return joinedAtMillis;
  }

  /**
   * Whether the participant may send a data message of {@code size} bytes now (counted if so).
   * Runs on the room's loop.
   */
  public boolean allowData(int size) {
    return dataLimit.tryTake(size, System.nanoTime());
  }

  public void send(String message) {
    connection.send(message);
  }
}
