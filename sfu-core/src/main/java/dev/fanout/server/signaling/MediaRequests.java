package dev.fanout.server.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.media.MediaException;
import dev.fanout.server.media.Peer;
import dev.fanout.server.media.Producer;
import dev.fanout.server.media.Router;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The media methods of signaling (publish, unpublish, mute, subscribe, unsubscribe,
 * subscriber-answer; docs/protocol.md §4) as calls on the room's {@link Router}: this is where
 * JSON ends and media begins. Runs on the room's loop.
 */
public final class MediaRequests {
  private static final Set<String> SOURCES =
      Set.of("camera", "microphone", "screen", "screen-audio", "custom", "file");

  private final int maxTracksPerParticipant;

  public MediaRequests(int maxTracksPerParticipant) {
    this.maxTracksPerParticipant = maxTracksPerParticipant;
  }

  /**
   * Handles a media method.
   *
   * @return the result object, or null for {@code {}}
   * @throws SignalingException {@link ErrorCode#UNKNOWN_METHOD} for a method it does not know
   */
  public JsonNode handle(Room room, Participant p, Request req) throws SignalingException {
    Router router = room.router();
    Peer peer = p.peer();
    try {
      return switch (req.method()) {
        case "publish" -> publish(router, p, req);
        case "unpublish" -> {
          router.unpublish(peer, req.strings("trackIds", true));
          yield null;
        }
        case "mute" -> {
          // The sender stops or resumes sending itself; subscribers learn it from track-muted.
          router.setMuted(peer, req.string("trackId"), req.bool("muted"));
          yield null;
        }
        case "subscribe" -> subscribe(router, p, req);
        case "unsubscribe" -> {
          router.unsubscribe(peer, req.string("trackId"));
          yield null;
        }
        case "subscriber-answer" -> {
          router.subscriberAnswer(peer, req.integer("revision"), req.string("sdp"));
          yield null;
        }
        default -> throw new SignalingException(ErrorCode.UNKNOWN_METHOD, "unknown method '" + req.method() + "'");
      };
    } catch (MediaException e) {
      throw new SignalingException(code(e.reason()), e.getMessage());
    }
  }

  private JsonNode publish(Router router, Participant p, Request req) throws SignalingException, MediaException {
    if (!p.grant().canPublish()) {
      throw new SignalingException(ErrorCode.FORBIDDEN, "your token does not grant publishing");
    }
    String offer = req.string("offer");
    List<ObjectNode> tracks = req.objects("tracks", true);
    if (p.peer().published().size() + tracks.size() > maxTracksPerParticipant) {
      throw new SignalingException(ErrorCode.TOO_MANY_TRACKS,
          "at most " + maxTracksPerParticipant + " published tracks per participant");
    }
    List<Router.TrackRequest> requests = new ArrayList<>();
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
      requests.add(new Router.TrackRequest(mid, kind, source, t.path("muted").asBoolean(false)));
    }
    Router.PublishResult result = router.publish(p.peer(), offer, requests);
    ObjectNode out = SignalingCodec.JSON.createObjectNode();
    out.put("answer", result.answer());
    ArrayNode list = out.putArray("tracks");
    for (Producer created : result.created()) {
      ObjectNode o = list.addObject();
      o.put("mid", created.mid());
      o.put("trackId", created.trackId());
      o.put("kind", created.kind().sdpName());
      o.put("source", created.source());
    }
    return out;
  }

  private JsonNode subscribe(Router router, Participant p, Request req) throws SignalingException, MediaException {
    if (!p.grant().canSubscribe()) {
      throw new SignalingException(ErrorCode.FORBIDDEN, "your token does not grant subscribing");
    }
    String trackId = req.string("trackId");
    String mid = router.subscribe(p.peer(), trackId);
    ObjectNode out = SignalingCodec.JSON.createObjectNode();
    out.put("trackId", trackId);
    out.put("mid", mid);
    return out;
  }

  private static ErrorCode code(MediaException.Reason reason) {
    return switch (reason) {
      case INVALID_SDP -> ErrorCode.INVALID_SDP;
      case INVALID_PARAMS -> ErrorCode.INVALID_PARAMS;
      case INVALID_STATE -> ErrorCode.INVALID_STATE;
      case TRACK_NOT_FOUND -> ErrorCode.TRACK_NOT_FOUND;
    };
  }

  private static String text(ObjectNode o, String field) throws SignalingException {
    JsonNode n = o.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty() || n.asText().length() > 64) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "tracks[]." + field + " must be a non-empty string");
    }
    return n.asText();
  }
}
