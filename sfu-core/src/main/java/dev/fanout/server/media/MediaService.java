package dev.fanout.server.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.server.config.FanoutConfig;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;
import dev.fanout.server.signaling.ErrorCode;
import dev.fanout.server.signaling.Request;
import dev.fanout.server.signaling.RoomMediaHandler;
import dev.fanout.server.signaling.SignalingException;

/**
 * Publish and subscribe over WebRTC transports. The media methods arrive with the transports
 * (ICE-lite + DTLS + SRTP); until then they are answered as unknown.
 */
public final class MediaService implements RoomMediaHandler {
  private final FanoutConfig config;

  public MediaService(FanoutConfig config) {
    this.config = config;
  }

  @Override
  public void joined(Room room, Participant participant) {}

  @Override
  public void left(Room room, Participant participant) {}

  @Override
  public void muted(Room room, Participant participant, String trackId, boolean muted) {}

  @Override
  public JsonNode handle(Room room, Participant participant, Request request) throws SignalingException {
    throw new SignalingException(ErrorCode.UNKNOWN_METHOD, "unknown method '" + request.method() + "'");
  }

  FanoutConfig config() {
    return config;
  }
}
