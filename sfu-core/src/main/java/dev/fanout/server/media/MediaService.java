package dev.fanout.server.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.config.FanoutConfig;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import dev.fanout.server.room.TrackInfo;
import dev.fanout.server.signaling.ErrorCode;
import dev.fanout.server.signaling.Request;
import dev.fanout.server.signaling.RoomMediaHandler;
import dev.fanout.server.signaling.SignalingCodec;
import dev.fanout.server.signaling.SignalingException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The media methods of signaling (publish, unpublish, subscribe, unsubscribe,
 * subscriber-answer) on top of {@link ParticipantMedia}. State per room is touched only on that
 * room's loop.
 */
public final class MediaService implements RoomMediaHandler {
  private static final Set<String> SOURCES =
      Set.of("camera", "microphone", "screen", "screen-audio", "custom", "file");
  private static final char[] ALPHABET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final FanoutConfig config;
  private final MediaEngine engine;
  private final Map<Room, RoomMedia> rooms = new ConcurrentHashMap<>();

  /** Media state of one room. */
  private static final class RoomMedia {
    final Map<String, ParticipantMedia> participants = new HashMap<>();
    final Map<String, Producer> producers = new HashMap<>();
  }

  public MediaService(FanoutConfig config, MediaEngine engine) {
    this.config = config;
    this.engine = engine;
  }

  private RoomMedia roomMedia(Room room) {
    return rooms.computeIfAbsent(room, r -> new RoomMedia());
  }

  @Override
  public void joined(Room room, Participant participant) {
    RoomMedia rm = roomMedia(room);
    ParticipantMedia pm = new ParticipantMedia(engine, participant, room.loop(),
        (media, reason) -> transportFailed(room, media, reason), room.name());
    ParticipantMedia old = rm.participants.put(participant.identity(), pm);
    if (old != null) {
      // Replaced by a newer connection of the same identity: its tracks end for everyone.
      for (Producer p : new ArrayList<>(old.producersByMid().values())) {
        endProducer(rm, old, p);
      }
      old.close();
    }
  }

  private void transportFailed(Room room, ParticipantMedia media, String reason) {
    Participant p = media.participant();
    if (room.participant(p.identity()) == p) {
      room.remove(p, "transport-failed");
      left(room, p);
      p.connection().close(4002, "media transport failed: " + reason);
    }
  }

  @Override
  public void left(Room room, Participant participant) {
    RoomMedia rm = rooms.get(room);
    if (rm == null) {
      return;
    }
    ParticipantMedia pm = rm.participants.get(participant.identity());
    if (pm == null || pm.participant() != participant) {
      return;
    }
    rm.participants.remove(participant.identity());
    for (Producer p : new ArrayList<>(pm.producersByMid().values())) {
      endProducer(rm, pm, p);
    }
    pm.close();
    if (rm.participants.isEmpty()) {
      rooms.remove(room, rm);
    }
  }

  @Override
  public JsonNode handle(Room room, Participant p, Request req) throws SignalingException {
    RoomMedia rm = roomMedia(room);
    ParticipantMedia pm = rm.participants.get(p.identity());
    if (pm == null) {
      throw new SignalingException(ErrorCode.NOT_JOINED, "not in a room");
    }
    return switch (req.method()) {
      case "publish" -> publish(room, rm, p, pm, req);
      case "unpublish" -> unpublish(room, rm, p, pm, req);
      case "subscribe" -> subscribe(room, rm, p, pm, req);
      case "unsubscribe" -> {
        String trackId = req.string("trackId");
        if (!pm.unsubscribe(trackId)) {
          throw new SignalingException(ErrorCode.TRACK_NOT_FOUND, "you are not subscribed to '" + trackId + "'");
        }
        p.subscriptions().remove(trackId);
        yield null;
      }
      case "subscriber-answer" -> {
        pm.subscriberAnswer(req.integer("revision"), req.string("sdp"));
        yield null;
      }
      default -> throw new SignalingException(ErrorCode.UNKNOWN_METHOD, "unknown method '" + req.method() + "'");
    };
  }

  private JsonNode publish(Room room, RoomMedia rm, Participant p, ParticipantMedia pm, Request req)
      throws SignalingException {
    if (!p.grant().canPublish()) {
      throw new SignalingException(ErrorCode.FORBIDDEN, "your token does not grant publishing");
    }
    String offer = req.string("offer");
    List<ObjectNode> tracks = req.objects("tracks", true);
    if (p.published().size() + tracks.size() > config.limits.maxTracksPerParticipant) {
      throw new SignalingException(ErrorCode.TOO_MANY_TRACKS,
          "at most " + config.limits.maxTracksPerParticipant + " published tracks per participant");
    }
    List<ParticipantMedia.TrackRequest> requests = new ArrayList<>();
    Map<String, ObjectNode> byMid = new HashMap<>();
    Set<String> mids = new HashSet<>();
    for (ObjectNode t : tracks) {
      String mid = text(t, "mid");
      String kind = text(t, "kind");
      String source = text(t, "source");
      if (!kind.equals("audio") && !kind.equals("video")) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "tracks[].kind must be audio or video");
      }
      if (!SOURCES.contains(source)) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "tracks[].source must be one of " + SOURCES);
      }
      if (!mids.add(mid)) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS, "mid '" + mid + "' is listed twice");
      }
      requests.add(new ParticipantMedia.TrackRequest(mid, kind, newTrackId()));
      byMid.put(mid, t);
    }
    ParticipantMedia.PublishResult result = pm.publish(offer, requests);
    for (Producer ended : result.ended()) {
      room.unpublish(p, ended.trackId());
      endProducer(rm, pm, ended);
    }
    ObjectNode out = SignalingCodec.JSON.createObjectNode();
    out.put("answer", result.answer());
    ArrayNode list = out.putArray("tracks");
    for (Producer created : result.created()) {
      ObjectNode t = byMid.get(created.media().mid());
      List<String> rids = new ArrayList<>(created.media().rids());
      TrackInfo info = new TrackInfo(created.trackId(), p.identity(), text(t, "kind"), text(t, "source"),
          created.media().mid(), rids.size() > 1 ? rids : List.of(), t.path("muted").asBoolean(false));
      p.published().put(info.trackId(), info);
      rm.producers.put(info.trackId(), created);
      room.announce(p, info);
      ObjectNode o = list.addObject();
      o.put("mid", info.mid());
      o.put("trackId", info.trackId());
      o.put("kind", info.kind());
      o.put("source", info.source());
    }
    return out;
  }

  private JsonNode unpublish(Room room, RoomMedia rm, Participant p, ParticipantMedia pm, Request req)
      throws SignalingException {
    List<String> ids = req.strings("trackIds", true);
    for (String id : ids) {
      if (!p.published().containsKey(id)) {
        throw new SignalingException(ErrorCode.TRACK_NOT_FOUND, "you publish no track '" + id + "'");
      }
    }
    for (String id : ids) {
      room.unpublish(p, id);
      Producer producer = rm.producers.get(id);
      if (producer != null) {
        endProducer(rm, pm, producer);
      }
    }
    return null;
  }

  private JsonNode subscribe(Room room, RoomMedia rm, Participant p, ParticipantMedia pm, Request req)
      throws SignalingException {
    if (!p.grant().canSubscribe()) {
      throw new SignalingException(ErrorCode.FORBIDDEN, "your token does not grant subscribing");
    }
    String trackId = req.string("trackId");
    TrackInfo info = room.findTrack(trackId);
    Producer producer = rm.producers.get(trackId);
    if (info == null || producer == null) {
      throw new SignalingException(ErrorCode.TRACK_NOT_FOUND, "no published track '" + trackId + "' in this room");
    }
    if (info.publisher().equals(p.identity())) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "you cannot subscribe to your own track");
    }
    String mid = pm.subscribe(producer, info.publisher());
    p.subscriptions().add(trackId);
    ObjectNode out = SignalingCodec.JSON.createObjectNode();
    out.put("trackId", trackId);
    out.put("mid", mid);
    return out;
  }

  /** Ends a producer everywhere: subscribers drop their consumers (and renegotiate). */
  private void endProducer(RoomMedia rm, ParticipantMedia owner, Producer producer) {
    rm.producers.remove(producer.trackId());
    for (ParticipantMedia other : rm.participants.values()) {
      if (other != owner && other.unsubscribe(producer.trackId())) {
        other.participant().subscriptions().remove(producer.trackId());
      }
    }
    owner.unpublish(producer);
  }

  private static String text(ObjectNode o, String field) throws SignalingException {
    JsonNode n = o.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty() || n.asText().length() > 64) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "tracks[]." + field + " must be a non-empty string");
    }
    return n.asText();
  }

  private static String newTrackId() {
    char[] c = new char[12];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return "TR_" + new String(c);
  }
}
