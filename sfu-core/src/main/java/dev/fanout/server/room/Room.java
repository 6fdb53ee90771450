package dev.fanout.server.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.signaling.ErrorCode;
import dev.fanout.server.signaling.SignalingCodec;
import dev.fanout.server.signaling.SignalingException;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room: its participants and their published tracks. Every method runs on the room's event
 * loop ({@link #loop()}); callers hop there first, so the room needs no locks.
 */
public final class Room {
  private static final Logger LOG = LoggerFactory.getLogger(Room.class);

  private final String name;
  private final EventLoop loop;
  private final int maxParticipants;
  private final Map<String, Participant> participants = new LinkedHashMap<>();
  private final RoomManager manager;

  Room(String name, EventLoop loop, int maxParticipants, RoomManager manager) {
    this.name = name;
    this.loop = loop;
    this.maxParticipants = maxParticipants;
    this.manager = manager;
  }

  public String name() {
    return name;
  }

  public EventLoop loop() {
    return loop;
  }

  public Collection<Participant> participants() {
    return Collections.unmodifiableCollection(participants.values());
  }

  public Participant participant(String identity) {
    return participants.get(identity);
  }

  /**
   * Admits a participant. A participant already present with the same identity is replaced (its
   * connection closed with reason {@code replaced}), so a client that lost its connection can
   * join again at once.
   */
  public Participant join(AccessTokens.Grant grant, ClientConnection connection) throws SignalingException {
    assert loop.inEventLoop();
    Participant previous = participants.get(grant.identity());
    if (previous == null && participants.size() >= maxParticipants) {
      throw new SignalingException(ErrorCode.ROOM_FULL,
          "room '" + name + "' has its maximum of " + maxParticipants + " participants");
    }
    if (previous != null) {
      remove(previous, "replaced");
      previous.connection().close(4001, "replaced by a newer connection of the same identity");
    }
    Participant p = new Participant(grant, connection);
    participants.put(p.identity(), p);
    manager.participantCountChanged(+1);
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.set("participant", p.toJson());
    broadcast(SignalingCodec.event("participant-joined", data), p);
    LOG.info("room {}: {} joined from {}", name, p.identity(), connection.describe());
    return p;
  }

  /** The {@code joined} result for {@code p}: who is here and what they publish. */
  public ObjectNode snapshotFor(Participant p) {
    ObjectNode r = SignalingCodec.JSON.createObjectNode();
    r.put("room", name);
    r.put("identity", p.identity());
    r.put("name", p.name());
    ObjectNode grants = r.putObject("grants");
    grants.put("canPublish", p.grant().canPublish());
    grants.put("canSubscribe", p.grant().canSubscribe());
    ArrayNode others = r.putArray("participants");
    for (Participant o : participants.values()) {
      if (o != p) {
        others.add(o.toJson());
      }
    }
    return r;
  }

  /** Removes a participant (leave, socket closed, timeout, transport failure). Idempotent. */
  public void remove(Participant p, String reason) {
    assert loop.inEventLoop();
    if (participants.get(p.identity()) != p) {
      return;
    }
    participants.remove(p.identity());
    manager.participantCountChanged(-1);
    for (TrackInfo t : new ArrayList<>(p.published().values())) {
      unpublish(p, t.trackId());
    }
    for (Participant other : participants.values()) {
      other.subscriptions().removeIf(id -> !trackExists(id));
    }
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.put("identity", p.identity());
    data.put("reason", reason);
    broadcast(SignalingCodec.event("participant-left", data), null);
    LOG.info("room {}: {} left ({})", name, p.identity(), reason);
    if (participants.isEmpty()) {
      manager.closeIfEmpty(this);
    }
  }

  /** Announces a new track to everyone else. */
  public void announce(Participant p, TrackInfo t) {
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.put("identity", p.identity());
    data.set("track", t.toJson());
    broadcast(SignalingCodec.event("track-published", data), p);
  }

  /** Ends a published track and tells everyone else. */
  public void unpublish(Participant p, String trackId) {
    TrackInfo t = p.published().remove(trackId);
    if (t == null) {
      return;
    }
    for (Participant other : participants.values()) {
      other.subscriptions().remove(trackId);
    }
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.put("identity", p.identity());
    data.put("trackId", trackId);
    data.put("kind", t.kind());
    data.put("source", t.source());
    broadcast(SignalingCodec.event("track-unpublished", data), p);
  }

  /** Sets a published track's mute state and tells everyone else when it changed. */
  public void setMuted(Participant p, String trackId, boolean muted) throws SignalingException {
    TrackInfo t = p.published().get(trackId);
    if (t == null) {
      throw new SignalingException(ErrorCode.TRACK_NOT_FOUND, "you publish no track '" + trackId + "'");
    }
    if (t.muted() == muted) {
      return;
    }
    t.setMuted(muted);
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.put("identity", p.identity());
    data.put("trackId", trackId);
    data.put("muted", muted);
    broadcast(SignalingCodec.event("track-muted", data), p);
  }

  /** The track with this id and its publisher, or null. */
  public TrackInfo findTrack(String trackId) {
    for (Participant p : participants.values()) {
      TrackInfo t = p.published().get(trackId);
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private boolean trackExists(String trackId) {
    return findTrack(trackId) != null;
  }

  /** Sends a message to every participant except {@code except} (which may be null). */
  public void broadcast(String message, Participant except) {
    for (Participant p : participants.values()) {
      if (p != except) {
        p.send(message);
      }
    }
  }

  /** Identities present, for tests and logs. */
  public List<String> identities() {
    return List.copyOf(participants.keySet());
  }
}
