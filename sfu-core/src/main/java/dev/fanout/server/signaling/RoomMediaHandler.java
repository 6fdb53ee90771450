package dev.fanout.server.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.server.room.Participant;
import dev.fanout.server.room.Room;

/**
 * The media side of signaling: publish, subscribe and their SDP exchanges. Called on the room's
 * event loop.
 */
public interface RoomMediaHandler {
  /** A participant joined; set up what it needs. */
  void joined(Room room, Participant participant);

  /** A participant left or was removed; release everything it held. */
  void left(Room room, Participant participant);

  /**
   * Handles a media method (publish, unpublish, subscribe, unsubscribe, subscriber-answer).
   *
   * @return the result object, or null for {@code {}}
   * @throws SignalingException {@link ErrorCode#UNKNOWN_METHOD} for a method it does not know
   */
  JsonNode handle(Room room, Participant participant, Request request) throws SignalingException;
}
