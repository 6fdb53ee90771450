package dev.fanout.server.room;

import dev.fanout.server.media.Producer;

/**
 * What happens in rooms, for observers outside signaling (webhooks, later metrics and the room
 * service). Called on the room's loop (room started: on the thread that opened it); an observer
 * must hand work elsewhere and return at once. Every method has a no-op default.
 */
public interface RoomObserver {
  RoomObserver NONE = new RoomObserver() {};

  default void roomStarted(Room room) {}

  /** The last participant left and the room closed. */
  default void roomFinished(Room room) {}

  default void participantJoined(Room room, Participant participant) {}

  default void participantLeft(Room room, Participant participant, String reason) {}

  /** {@code participant} is null when the publisher has no signaling connection. */
  default void trackPublished(Room room, Participant participant, Producer track) {}

  default void trackUnpublished(Room room, Participant participant, Producer track) {}
}
