package dev.fanout.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.auth.ClaimRules;
import dev.fanout.server.auth.InvalidTokenException;
import dev.fanout.server.media.MediaException;
import dev.fanout.server.room.DataLimit;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import dev.fanout.server.room.RoomManager;
import dev.fanout.server.signaling.SignalingCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;

/**
 * The room service API (docs/server-api.md): an app's backend lists, creates and deletes rooms,
 * lists and removes participants, mutes their tracks, updates their name and metadata and sends
 * them data messages. Twirp-style: {@code POST /twirp/fanout.RoomService/<Method>} with a JSON
 * object, answered with a JSON object, authorized by an admin token
 * ({@link AccessTokens.AdminGrant}). Work on a room runs on its loop; the caller gets a future.
 */
public final class RoomService {
  /** The path prefix of every method. */
  public static final String PREFIX = "/twirp/fanout.RoomService/";
  static final int MAX_EMPTY_TIMEOUT_SECONDS = 7 * 24 * 3600;
  static final int MAX_METADATA_CHARS = 4096;

  private final RoomManager rooms;
  private final AccessTokens tokens;

  /** An answer: HTTP status and JSON body. */
  public record Response(int status, JsonNode body) {}

  /** A refused call: HTTP status and a Twirp error code. */
  static final class ApiError extends Exception {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  public RoomService(RoomManager rooms, AccessTokens tokens) {
    this.rooms = rooms;
    this.tokens = tokens;
  }

  /**
   * Calls {@code method} with {@code body}; {@code authorization} is the request's header
   * ({@code Bearer <token>}). Never completes exceptionally.
   */
  public CompletableFuture<Response> call(String method, String authorization, byte[] body) {
    try {
      AccessTokens.AdminGrant grant = authorize(authorization);
      JsonNode params = parse(body);
      return switch (method) {
        case "CreateRoom" -> createRoom(grant, params);
        case "ListRooms" -> listRooms(grant, params);
        case "DeleteRoom" -> deleteRoom(grant, params);
        case "ListParticipants" -> onRoom(admin(grant, params), room -> {
          ObjectNode out = SignalingCodec.JSON.createObjectNode();
          ArrayNode list = out.putArray("participants");
          room.participants().forEach(p -> list.add(participant(p)));
          return out;
        });
        case "GetParticipant" -> onRoom(admin(grant, params), room -> participant(participant(room, params)));
        case "RemoveParticipant" -> onRoom(admin(grant, params), room -> {
          Participant p = participant(room, params);
          room.remove(p, "removed");
          p.connection().close(4006, "removed by the room service");
          return SignalingCodec.JSON.createObjectNode();
        });
        case "MutePublishedTrack" -> onRoom(admin(grant, params), room -> {
          Participant p = participant(room, params);
          String trackId = text(params, "trackId", true);
          boolean muted = bool(params, "muted");
          try {
            room.muteTrack(p, trackId, muted);
          } catch (MediaException e) {
            throw new ApiError(404, "not_found", "'" + p.identity() + "' publishes no track '" + printable(trackId) + "'");
          }
          ObjectNode out = SignalingCodec.JSON.createObjectNode();
          out.set("track", Room.describe(room.router().track(trackId)));
          return out;
        });
        case "UpdateParticipant" -> onRoom(admin(grant, params), room -> {
          Participant p = participant(room, params);
          String name = text(params, "name", false);
          String metadata = text(params, "metadata", false);
          if (name != null) {
            try {
              ClaimRules.displayName(name);
            } catch (IllegalArgumentException e) {
              throw new ApiError(400, "invalid_argument", e.getMessage());
            }
          }
          if (metadata != null && metadata.length() > MAX_METADATA_CHARS) {
            throw new ApiError(400, "invalid_argument", "metadata is longer than " + MAX_METADATA_CHARS + " characters");
          }
          room.updateParticipant(p, name, metadata);
          return participant(p);
        });
        case "SendData" -> onRoom(admin(grant, params), room -> {
          String data = text(params, "data", true);
          try {
            DataLimit.payloadBytes(data);
          } catch (IllegalArgumentException e) {
            throw new ApiError(400, "invalid_argument", "data " + e.getMessage());
          }
          List<String> to = strings(params, "destinationIdentities");
          ObjectNode out = SignalingCodec.JSON.createObjectNode();
          out.put("recipients", room.sendData(null, data, to));
          return out;
        });
        default -> throw new ApiError(404, "bad_route", "no method '" + printable(method) + "' (docs/server-api.md lists them)");
      };
    } catch (ApiError e) {
      return CompletableFuture.completedFuture(error(e));
    }
  }

  private AccessTokens.AdminGrant authorize(String authorization) throws ApiError {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      throw new ApiError(401, "unauthenticated", "an 'Authorization: Bearer <token>' header with an admin token is required");
    }
    try {
      return tokens.verifyAdmin(authorization.substring("Bearer ".length()).trim());
    } catch (InvalidTokenException e) {
      throw new ApiError(401, "unauthenticated", e.getMessage());
    }
  }

  private static JsonNode parse(byte[] body) throws ApiError {
    if (body.length == 0) {
      return SignalingCodec.JSON.createObjectNode();
    }
    try {
      JsonNode n = SignalingCodec.JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new ApiError(400, "malformed", "the body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new ApiError(400, "malformed", "the body is not JSON");
    }
  }

  private CompletableFuture<Response> createRoom(AccessTokens.AdminGrant grant, JsonNode params) throws ApiError {
    if (!grant.roomCreate()) {
      throw new ApiError(403, "permission_denied", "the token does not grant roomCreate");
    }
    String name = roomName(params);
    int max = integer(params, "maxParticipants", 0, Integer.MAX_VALUE);
    int emptyTimeout = integer(params, "emptyTimeout", 0, MAX_EMPTY_TIMEOUT_SECONDS);
    Room room = rooms.create(name, max, emptyTimeout);
    return onRoom(room, RoomService::room);
  }

  private CompletableFuture<Response> listRooms(AccessTokens.AdminGrant grant, JsonNode params) throws ApiError {
    if (!grant.roomList()) {
      throw new ApiError(403, "permission_denied", "the token does not grant roomList");
    }
    List<String> names = strings(params, "names");
    List<CompletableFuture<JsonNode>> each = new ArrayList<>();
    for (Room r : rooms.rooms()) {
      if (names.isEmpty() || names.contains(r.name())) {
        each.add(CompletableFuture.supplyAsync(() -> room(r), r.loop()));
      }
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).handle((ok, failure) -> {
      ObjectNode out = SignalingCodec.JSON.createObjectNode();
      ArrayNode list = out.putArray("rooms");
      for (CompletableFuture<JsonNode> f : each) {
        if (!f.isCompletedExceptionally()) {
          list.add(f.join());
        }
      }
      return new Response(200, out);
    });
  }

  private CompletableFuture<Response> deleteRoom(AccessTokens.AdminGrant grant, JsonNode params) throws ApiError {
    if (!grant.roomCreate()) {
      throw new ApiError(403, "permission_denied", "the token does not grant roomCreate");
    }
    Room room = existing(roomName(params));
    return onRoom(room, r -> {
      r.delete();
      return SignalingCodec.JSON.createObjectNode();
    });
  }

  /** The room a roomAdmin call names, if the grant administers it. */
  private Room admin(AccessTokens.AdminGrant grant, JsonNode params) throws ApiError {
    String name = roomName(params);
    if (!grant.administers(name)) {
      throw new ApiError(403, "permission_denied", grant.roomAdmin()
          ? "the token administers room '" + grant.room() + "' only" : "the token does not grant roomAdmin");
    }
    return existing(name);
  }

  private Room existing(String name) throws ApiError {
    Room room = rooms.existing(name);
    if (room == null) {
      throw new ApiError(404, "not_found", "no room '" + name + "'");
    }
    return room;
  }

  @FunctionalInterface
  private interface OnLoop {
    JsonNode run(Room room) throws ApiError;
  }

  /** Runs {@code work} on the room's loop. */
  private static CompletableFuture<Response> onRoom(Room room, OnLoop work) {
    CompletableFuture<Response> out = new CompletableFuture<>();
    room.loop().execute(() -> {
      try {
        out.complete(new Response(200, work.run(room)));
      } catch (ApiError e) {
        out.complete(error(e));
      } catch (RuntimeException e) {
        out.complete(new Response(500, errorBody("internal", "the server failed: " + e)));
      }
    });
    return out;
  }

  private static Participant participant(Room room, JsonNode params) throws ApiError {
    String identity = text(params, "identity", true);
    Participant p = room.participant(identity);
    if (p == null) {
      throw new ApiError(404, "not_found", "no participant '" + printable(identity) + "' in room '" + room.name() + "'");
    }
    return p;
  }

  private static ObjectNode room(Room r) {
    ObjectNode o = SignalingCodec.JSON.createObjectNode();
    o.put("name", r.name());
    o.put("numParticipants", r.participants().size());
    o.put("numPublishers", r.participants().stream().filter(p -> !p.peer().published().isEmpty()).count());
    o.put("maxParticipants", r.maxParticipants());
    o.put("emptyTimeout", r.emptyTimeoutSeconds());
    o.put("creationTime", r.createdAtMillis());
    return o;
  }

  private static ObjectNode participant(Participant p) {
    ObjectNode o = Room.describe(p);
    o.put("joinedAt", p.joinedAtMillis());
    o.put("canPublish", p.grant().canPublish());
    o.put("canSubscribe", p.grant().canSubscribe());
    return o;
  }

  private static String roomName(JsonNode params) throws ApiError {
    String name = text(params, "room", false);
    if (name == null) {
      name = text(params, "name", true);
    }
    try {
      return ClaimRules.identifier("room", name);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "invalid_argument", e.getMessage());
    }
  }

  private static String text(JsonNode params, String field, boolean required) throws ApiError {
    JsonNode n = params.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new ApiError(400, "invalid_argument", field + " is required");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw new ApiError(400, "invalid_argument", field + " must be a string");
    }
    return n.asText();
  }

  /** An optional array of strings; empty when absent. */
  private static List<String> strings(JsonNode params, String field) throws ApiError {
    JsonNode n = params.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    ApiError wrong = new ApiError(400, "invalid_argument", field + " must be an array of strings");
    if (!n.isArray()) {
      throw wrong;
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw wrong;
      }
      out.add(e.asText());
    }
    return out;
  }

  private static boolean bool(JsonNode params, String field) throws ApiError {
    JsonNode n = params.get(field);
    if (n == null || !n.isBoolean()) {
      throw new ApiError(400, "invalid_argument", field + " must be true or false");
    }
    return n.asBoolean();
  }

  private static int integer(JsonNode params, String field, int min, int max) throws ApiError {
    JsonNode n = params.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
      throw new ApiError(400, "invalid_argument", field + " must be a whole number from " + min + " to " + max);
    }
    return n.asInt();
  }

  private static Response error(ApiError e) {
    return new Response(e.status, errorBody(e.code, e.getMessage()));
  }

  private static JsonNode errorBody(String code, String message) {
    ObjectNode o = SignalingCodec.JSON.createObjectNode();
    o.put("code", code);
    o.put("msg", message);
    return o;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
