package dev.fanout.server.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.auth.InvalidTokenException;
import dev.fanout.server.room.ClientConnection;
import dev.fanout.server.room.DataLimit;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import dev.fanout.server.room.RoomManager;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one {@code /rtc} connection: parses requests, hops to the room's event loop
 * and answers. Requests of one session are handled in the order they arrive.
 */
public final class SignalingSession {
  private static final Logger LOG = LoggerFactory.getLogger(SignalingSession.class);
  /** The methods of docs/protocol.md §4; anything else is UNKNOWN_METHOD, joined or not. */
  static final Set<String> METHODS = Set.of("ping", "join", "leave", "mute", "publish", "unpublish",
      "subscribe", "unsubscribe", "subscriber-answer", "send-data");
  /** The answer to an unknown method; the name the client sent is never echoed back. */
  static final String UNKNOWN_METHOD_MESSAGE = "no such method (docs/protocol.md section 4 lists them)";

  private final ClientConnection connection;
  private final AccessTokens tokens;
  private final RoomManager rooms;
  private final MediaRequests media;
  private final SignalingStats stats;
  /** Set once join is accepted (on the connection's thread); read there only. */
  private Room room;
  /** Set on the room's loop once the join ran. */
  private volatile Participant participant;
  private volatile boolean closed;
  /** Set once a join succeeded (stays set after leave). */
  private volatile boolean joined;

  public SignalingSession(ClientConnection connection, AccessTokens tokens, RoomManager rooms,
      MediaRequests media, SignalingStats stats) {
    this.connection = connection;
    this.stats = stats;
    this.tokens = tokens;
    this.rooms = rooms;
    this.media = media;
  }

  /** Handles one text message from the client. Called on the connection's event loop. */
  public void onMessage(String text) {
    Request req;
    try {
      req = SignalingCodec.parse(text);
    } catch (SignalingCodec.RequestException e) {
      connection.send(SignalingCodec.error(e.id(), e.code(), e.getMessage()));
      return;
    }
    if (!METHODS.contains(req.method())) {
      fail(req, ErrorCode.UNKNOWN_METHOD, UNKNOWN_METHOD_MESSAGE);
      return;
    }
    switch (req.method()) {
      case "ping" -> respond(req, null);
      case "join" -> join(req);
      default -> {
        if (room == null) {
          fail(req, ErrorCode.NOT_JOINED, "join first");
          return;
        }
        Room r = room;
        r.loop().execute(() -> inRoom(r, req));
      }
    }
  }

  private void join(Request req) {
    if (room != null) {
      joinFailed(req, ErrorCode.ALREADY_JOINED, "this connection already joined room '" + room.name() + "'");
      return;
    }
    AccessTokens.Grant grant;
    try {
      grant = tokens.verify(req.string("token"));
      // The token decides the room; a client that also names one must name the same, or it
      // would sit in a room other than the one it asked for without knowing.
      String asked = req.optionalString("room");
      if (asked != null && !asked.equals(grant.room())) {
        throw new SignalingException(ErrorCode.INVALID_PARAMS,
            "params.room is not the room of the token ('" + grant.room() + "')");
      }
    } catch (InvalidTokenException e) {
      joinFailed(req, ErrorCode.UNAUTHORIZED, e.getMessage());
      return;
    } catch (SignalingException e) {
      joinFailed(req, e.code(), e.getMessage());
      return;
    }
    Room r = rooms.room(grant.room());
    room = r;
    r.loop().execute(() -> joinOnLoop(r, grant, req));
  }

  private void joinOnLoop(Room r, AccessTokens.Grant grant, Request req) {
    if (closed) {
      return;
    }
    if (!rooms.isOpen(r)) {
      // The room closed between lookup and now; open it again (on its new loop) and retry there.
      Room fresh = rooms.room(grant.room());
      room = fresh;
      fresh.loop().execute(() -> joinOnLoop(fresh, grant, req));
      return;
    }
    try {
      Participant p = r.join(grant, connection);
      participant = p;
      joined = true;
      stats.joined();
      respond(req, r.snapshotFor(p));
    } catch (SignalingException e) {
      room = null;
      joinFailed(req, e.code(), e.getMessage());
    }
  }

  private void inRoom(Room r, Request req) {
    Participant p = participant;
    if (p == null || r.participant(p.identity()) != p) {
      fail(req, ErrorCode.NOT_JOINED, "not in a room (left, replaced or not yet joined)");
      return;
    }
    try {
      JsonNode result = switch (req.method()) {
        case "leave" -> {
          r.remove(p, "left");
          yield null;
        }
        case "send-data" -> sendData(r, p, req);
        default -> media.handle(r, p, req);
      };
      respond(req, result);
    } catch (SignalingException e) {
      fail(req, e.code(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("room {}: {} failed on {}: {}", r.name(), p.identity(), req.method(), e.toString(), e);
      fail(req, ErrorCode.INTERNAL_ERROR, "the server failed to handle " + req.method());
    }
  }

  private static JsonNode sendData(Room r, Participant p, Request req) throws SignalingException {
    String payload = req.string("payload");
    int size;
    try {
      size = DataLimit.payloadBytes(payload);
    } catch (IllegalArgumentException e) {
      throw new SignalingException(ErrorCode.INVALID_PARAMS, "params.payload " + e.getMessage());
    }
    List<String> to = req.strings("to", false);
    if (!p.allowData(size)) {
      throw new SignalingException(ErrorCode.RATE_LIMITED, "more than " + DataLimit.MESSAGES_PER_SECOND
          + " data messages or " + DataLimit.BYTES_PER_SECOND + " bytes of data per second; this one was not sent");
    }
    ObjectNode result = SignalingCodec.JSON.createObjectNode();
    result.put("recipients", r.sendData(p, payload, to));
    return result;
  }

  /** Whether a join succeeded on this connection (it may have left since). */
  public boolean hasJoined() {
    return joined;
  }

  /** The connection closed (by either side). Called once, on the connection's event loop. */
  public void onClose(String reason) {
    closed = true;
    Room r = room;
    if (r == null) {
      return;
    }
    r.loop().execute(() -> {
      Participant p = participant;
      if (p != null && r.participant(p.identity()) == p) {
        r.remove(p, reason);
      }
    });
  }

  private void respond(Request req, JsonNode result) {
    connection.send(SignalingCodec.result(req.id(), result == null ? SignalingCodec.JSON.createObjectNode() : result));
  }

  private void joinFailed(Request req, ErrorCode code, String message) {
    stats.joinFailed(code);
    fail(req, code, message);
  }

  private void fail(Request req, ErrorCode code, String message) {
    String m = code == ErrorCode.UNKNOWN_METHOD ? UNKNOWN_METHOD_MESSAGE : message;
    connection.send(SignalingCodec.error(req.id(), code, m));
  }
}
