package dev.fanout.server.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.media.MediaException;
import dev.fanout.server.media.Peer;
import dev.fanout.server.media.Producer;
import dev.fanout.server.media.Router;
import dev.fanout.server.signaling.ErrorCode;
import dev.fanout.server.signaling.SignalingCodec;
import dev.fanout.server.signaling.SignalingException;
import io.netty.channel.EventLoop;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room as signaling sees it: its participants and their connections, over the room's media
 * {@link Router}, which holds every track. What the router reports (tracks published, ended,
 * muted; subscribe offers; failed connections) becomes signaling events here. Every method runs
 * on the room's event loop ({@link #loop()}); callers hop there first, so the room needs no locks.
 */
public final class Room {
  private static final Logger LOG = LoggerFactory.getLogger(Room.class);

  private final String name;
  private final EventLoop loop;
  private final int maxParticipants;
  /** Seconds an empty room stays open; 0: it closes when its last participant leaves. */
  private volatile int emptyTimeoutSeconds;
  private final long createdAtMillis = System.currentTimeMillis();
  /** Counts the times the room emptied, so a timeout set at one emptying ignores later ones. */
  private long emptyCount;
  private final Map<String, Participant> participants = new LinkedHashMap<>();
  private final RoomManager manager;
  private final Router router;

  Room(String name, EventLoop loop, int maxParticipants, int emptyTimeoutSeconds, RoomManager manager,
      RoomManager.RouterFactory routers) {
    this.name = name;
    this.loop = loop;
    this.maxParticipants = maxParticipants;
    this.emptyTimeoutSeconds = emptyTimeoutSeconds;
    this.manager = manager;
    this.router = routers.create(name, loop, new RouterEvents());
  }

  public String name() {
    return name;
  }

  public long createdAtMillis() {
    return createdAtMillis;
  }

  public int maxParticipants() {
    return maxParticipants;
  }

  public int emptyTimeoutSeconds() {
    return emptyTimeoutSeconds;
  }

  /** Counts one more emptying and returns the count. */
  long markEmpty() {
    return ++emptyCount;
  }

  /** How many times the room has emptied. */
  long timesEmptied() {
    return emptyCount;
  }

  public EventLoop loop() {
    return loop;
  }

  /** The room's media: peers, tracks and subscriptions. */
  public Router router() {
    return router;
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
    Participant p = new Participant(grant, connection, router.addPeer(grant.identity()));
    participants.put(p.identity(), p);
    manager.participantCountChanged(+1);
    manager.observer().participantJoined(this, p);
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.set("participant", describe(p));
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
        others.add(describe(o));
      }
    }
    return r;
  }

  /**
   * Removes a participant (leave, socket closed, timeout, transport failure): its tracks end for
   * everyone, its media closes, the others hear it left. Idempotent.
   */
  public void remove(Participant p, String reason) {
    assert loop.inEventLoop();
    if (participants.get(p.identity()) != p) {
      return;
    }
    // Its tracks end while it is still listed, so their events name it; it is not told of them.
    router.removePeer(p.peer());
    participants.remove(p.identity());
    manager.participantCountChanged(-1);
    manager.observer().participantLeft(this, p, reason);
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.put("identity", p.identity());
    data.put("reason", reason);
    broadcast(SignalingCodec.event("participant-left", data), null);
    LOG.info("room {}: {} left ({})", name, p.identity(), reason);
    if (participants.isEmpty()) {
      manager.closeIfEmpty(this);
    }
  }

  /** {@code {identity, name, metadata?, tracks:[…]}} as in {@code joined}, {@code participant-joined} and the room service API. */
  public static ObjectNode describe(Participant p) {
    ObjectNode o = SignalingCodec.JSON.createObjectNode();
    o.put("identity", p.identity());
    o.put("name", p.name());
    if (!p.metadata().isEmpty()) {
      o.put("metadata", p.metadata());
    }
    ArrayNode tracks = o.putArray("tracks");
    for (Producer t : p.peer().published()) {
      tracks.add(describe(t));
    }
    return o;
  }

  /** A track as {@code track-published}, the participant lists and webhooks carry it. */
  public static ObjectNode describe(Producer t) {
    ObjectNode o = SignalingCodec.JSON.createObjectNode();
    o.put("trackId", t.trackId());
    o.put("kind", t.kind().sdpName());
    o.put("source", t.source());
    o.put("muted", t.muted());
    List<String> rids = t.simulcastRids();
    if (!rids.isEmpty()) {
      rids.forEach(o.putArray("simulcast")::add);
    }
    return o;
  }

  // ---- administration (the room service API; docs/server-api.md) ----------------------------

  /**
   * Changes a participant's name and/or metadata (null: unchanged) and tells everyone,
   * the participant included, with {@code participant-updated}.
   */
  public void updateParticipant(Participant p, String newName, String metadata) {
    assert loop.inEventLoop();
    p.update(newName, metadata);
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    data.set("participant", describe(p));
    broadcast(SignalingCodec.event("participant-updated", data), null);
  }

  /**
   * Mutes or unmutes a published track for everyone whatever its publisher does; the publisher
   * gets the {@code track-muted} event too, with {@code "byServer": true}.
   */
  public void muteTrack(Participant p, String trackId, boolean muted) throws MediaException {
    assert loop.inEventLoop();
    router.setMutedByServer(p.peer(), trackId, muted);
    ObjectNode data = trackRef(p.identity(), trackId).put("muted", muted).put("byServer", true);
    p.send(SignalingCodec.event("track-muted", data));
  }

  /**
   * Sends a data message ({@code data} event) to the participants named in {@code to}, or to
   * everyone when {@code to} is empty; never back to its sender. Names not in the room are
   * skipped.
   *
   * @param from the sender, or null for the room service API (the event then has no {@code from})
   * @param payload standard base64, checked by {@link DataLimit#payloadBytes}
   * @return how many participants it was sent to
   */
  public int sendData(Participant from, String payload, Collection<String> to) {
    assert loop.inEventLoop();
    ObjectNode data = SignalingCodec.JSON.createObjectNode();
    if (from != null) {
      data.put("from", from.identity());
    }
    data.put("payload", payload);
    String message = SignalingCodec.event("data", data);
    Collection<Participant> recipients = to.isEmpty() ? participants.values()
        : new LinkedHashSet<>(to).stream().map(participants::get).filter(Objects::nonNull).toList();
    int sent = 0;
    for (Participant p : recipients) {
      if (p != from) {
        p.send(message);
        sent++;
      }
    }
    return sent;
  }

  /** Removes every participant (reason {@code room-deleted}, close status 4005) and closes the room. */
  public void delete() {
    assert loop.inEventLoop();
    emptyTimeoutSeconds = 0;
    for (Participant p : List.copyOf(participants.values())) {
      remove(p, "room-deleted");
      p.connection().close(4005, "the room was deleted");
    }
    manager.closeIfEmpty(this);
  }

  /** {@code {identity, trackId}}, the start of every event about one track. */
  private static ObjectNode trackRef(String identity, String trackId) {
    return SignalingCodec.JSON.createObjectNode().put("identity", identity).put("trackId", trackId);
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

  /** The router's news, told to the participants. */
  private final class RouterEvents implements Router.Listener {
    @Override
    public void trackPublished(Producer t) {
      ObjectNode data = SignalingCodec.JSON.createObjectNode();
      data.put("identity", t.publisher());
      data.set("track", describe(t));
      Participant publisher = participants.get(t.publisher());
      broadcast(SignalingCodec.event("track-published", data), publisher);
      manager.observer().trackPublished(Room.this, publisher, t);
    }

    @Override
    public void trackUnpublished(Producer t) {
      ObjectNode data = trackRef(t.publisher(), t.trackId()).put("kind", t.kind().sdpName()).put("source", t.source());
      Participant publisher = participants.get(t.publisher());
      broadcast(SignalingCodec.event("track-unpublished", data), publisher);
      manager.observer().trackUnpublished(Room.this, publisher, t);
    }

    @Override
    public void trackMuted(Producer t) {
      ObjectNode data = trackRef(t.publisher(), t.trackId()).put("muted", t.muted());
      broadcast(SignalingCodec.event("track-muted", data), participants.get(t.publisher()));
    }

    @Override
    public void subscriberOffer(Peer peer, Router.SubscriberOffer offer) {
      Participant p = participants.get(peer.identity());
      if (p == null || p.peer() != peer) {
        return;
      }
      ObjectNode data = SignalingCodec.JSON.createObjectNode();
      data.put("revision", offer.revision());
      data.put("sdp", offer.sdp());
      ArrayNode tracks = data.putArray("tracks");
      for (Router.OfferedTrack t : offer.tracks()) {
        ObjectNode o = tracks.addObject();
        o.put("mid", t.mid());
        o.put("trackId", t.trackId());
        o.put("identity", t.publisher());
      }
      p.send(SignalingCodec.event("subscriber-offer", data));
    }

    @Override
    public void peerFailed(Peer peer, String reason) {
      Participant p = participants.get(peer.identity());
      if (p != null && p.peer() == peer) {
        remove(p, "transport-failed");
        p.connection().close(4002, "media transport failed: " + reason);
      }
    }
  }
}
