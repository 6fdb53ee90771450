package dev.fanout.server.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.signaling.SignalingCodec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One joined client in a room. State is touched only on the room's event loop. */
public final class Participant {
  private final String identity;
  private final String name;
  private final AccessTokens.Grant grant;
  private final ClientConnection connection;
  private final Map<String, TrackInfo> published = new LinkedHashMap<>();
  private final Set<String> subscriptions = new LinkedHashSet<>();
  private final long joinedAtMillis = System.currentTimeMillis();

  Participant(AccessTokens.Grant grant, ClientConnection connection) {
    this.identity = grant.identity();
    this.name = grant.name();
    this.grant = grant;
    this.connection = connection;
  }

  public String identity() {
    return identity;
  }

  public String name() {
    return name;
  }

  public AccessTokens.Grant grant() {
    return grant;
  }

  public ClientConnection connection() {
    return connection;
  }

  /** Published tracks by id, in publication order. */
  public Map<String, TrackInfo> published() {
    return published;
  }

  /** Track ids this participant subscribes to. */
  public Set<String> subscriptions() {
    return subscriptions;
  }

  public long joinedAtMillis() {
    return joinedAtMillis;
  }

  public void send(String message) {
    connection.send(message);
  }

  /** {@code {identity, name, tracks:[…]}} as in {@code joined} and {@code participant-joined}. */
  public ObjectNode toJson() {
    ObjectNode o = SignalingCodec.JSON.createObjectNode();
    o.put("identity", identity);
    o.put("name", name);
    var tracks = o.putArray("tracks");
    published.values().forEach(t -> tracks.add(t.toJson()));
    return o;
  }
}
