package dev.fanout.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A client of a Fanout server's room service API (docs/server-api.md), for an app's backend:
 * each method is one {@code POST /twirp/fanout.RoomService/<Method>} with an admin token.
 * Refusals throw {@link ApiException} with the server's status, code and message.
 */
public final class RoomServiceClient {
  private final URI base;
  private final String token;
  private final HttpClient http;

  /** A room as the service describes it. */
  public record RoomInfo(String name, int numParticipants, int numPublishers, int maxParticipants,
      int emptyTimeoutSeconds, long creationTimeMillis) {}

  /** A published track. */
  public record TrackInfo(String trackId, String kind, String source, boolean muted) {}

  /** A participant and what it publishes. */
  public record ParticipantInfo(String identity, String name, String metadata, long joinedAtMillis,
      boolean canPublish, boolean canSubscribe, List<TrackInfo> tracks) {}

  /** A refused call. */
  public static final class ApiException extends IOException {
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
      super(status + " " + code + ": " + message);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    /** The Twirp error code: unauthenticated, permission_denied, not_found, invalid_argument, … */
    public String code() {
      return code;
    }
  }

  /**
   * @param server the server's HTTP base, e.g. {@code http://127.0.0.1:8080}
   * @param adminToken a token with roomList / roomCreate / roomAdmin grants ({@code fanout.jar token --admin})
   */
  public RoomServiceClient(URI server, String adminToken) {
    this.base = server;
    this.token = adminToken;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public RoomInfo createRoom(String name, int maxParticipants, int emptyTimeoutSeconds) throws IOException, InterruptedException {
    ObjectNode p = params().put("name", name);
    if (maxParticipants > 0) {
      p.put("maxParticipants", maxParticipants);
    }
    if (emptyTimeoutSeconds > 0) {
      p.put("emptyTimeout", emptyTimeoutSeconds);
    }
    return room(call("CreateRoom", p));
  }

  public List<RoomInfo> listRooms() throws IOException, InterruptedException {
    List<RoomInfo> out = new ArrayList<>();
    for (JsonNode r : call("ListRooms", params()).path("rooms")) {
      out.add(room(r));
    }
    return out;
  }

  public void deleteRoom(String room) throws IOException, InterruptedException {
    call("DeleteRoom", params().put("room", room));
  }

  public List<ParticipantInfo> listParticipants(String room) throws IOException, InterruptedException {
    List<ParticipantInfo> out = new ArrayList<>();
    for (JsonNode p : call("ListParticipants", params().put("room", room)).path("participants")) {
      out.add(participant(p));
    }
    return out;
  }

  public ParticipantInfo getParticipant(String room, String identity) throws IOException, InterruptedException {
    return participant(call("GetParticipant", params().put("room", room).put("identity", identity)));
  }

  public void removeParticipant(String room, String identity) throws IOException, InterruptedException {
    call("RemoveParticipant", params().put("room", room).put("identity", identity));
  }

  public TrackInfo mutePublishedTrack(String room, String identity, String trackId, boolean muted)
      throws IOException, InterruptedException {
    return track(call("MutePublishedTrack", params().put("room", room).put("identity", identity)
        .put("trackId", trackId).put("muted", muted)).path("track"));
  }

  /** Sets the name and/or metadata (null: unchanged). */
  public ParticipantInfo updateParticipant(String room, String identity, String name, String metadata)
      throws IOException, InterruptedException {
    ObjectNode p = params().put("room", room).put("identity", identity);
    if (name != null) {
      p.put("name", name);
    }
    if (metadata != null) {
      p.put("metadata", metadata);
    }
    return participant(call("UpdateParticipant", p));
  }

  /**
   * Sends a data message ({@code data} event, no {@code from}) to the named participants, or to
   * everyone in the room when none are named.
   *
   * @return how many participants it was sent to
   */
  public int sendData(String room, byte[] data, String... destinationIdentities) throws IOException, InterruptedException {
    ObjectNode p = params().put("room", room).put("data", Base64.getEncoder().encodeToString(data));
    if (destinationIdentities.length > 0) {
      ArrayNode to = p.putArray("destinationIdentities");
      for (String id : destinationIdentities) {
        to.add(id);
      }
    }
    return call("SendData", p).path("recipients").asInt();
  }

  private static ObjectNode params() {
    return SignalingClient.JSON.createObjectNode();
  }

  private JsonNode call(String method, ObjectNode params) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(base.resolve("/twirp/fanout.RoomService/" + method))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(SignalingClient.JSON.writeValueAsBytes(params)))
        .build();
    HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    JsonNode body;
    try {
      body = SignalingClient.JSON.readTree(res.body());
    } catch (IOException e) {
      throw new ApiException(res.statusCode(), "malformed", "the answer is not JSON");
    }
    if (res.statusCode() != 200) {
      throw new ApiException(res.statusCode(), body.path("code").asText("unknown"), body.path("msg").asText(""));
    }
    return body;
  }

  private static RoomInfo room(JsonNode r) {
    return new RoomInfo(r.path("name").asText(), r.path("numParticipants").asInt(), r.path("numPublishers").asInt(),
        r.path("maxParticipants").asInt(), r.path("emptyTimeout").asInt(), r.path("creationTime").asLong());
  }

  private static ParticipantInfo participant(JsonNode p) {
    List<TrackInfo> tracks = new ArrayList<>();
    for (JsonNode t : p.path("tracks")) {
      tracks.add(track(t));
    }
    return new ParticipantInfo(p.path("identity").asText(), p.path("name").asText(), p.path("metadata").asText(""),
        p.path("joinedAt").asLong(), p.path("canPublish").asBoolean(), p.path("canSubscribe").asBoolean(), List.copyOf(tracks));
  }

  private static TrackInfo track(JsonNode t) {
    return new TrackInfo(t.path("trackId").asText(), t.path("kind").asText(), t.path("source").asText(),
        t.path("muted").asBoolean());
  }
}
