package dev.fanout.server.room;

import dev.fanout.server.media.Producer;

/**
 * What happens in rooms, for observers outside signaling (webhooks, later metrics and the room
 * service). Called on the room's loop (room started: on the thread that opened it); an observer
 * must hand work elsewhere and return at once. Every method has a no-op default.
 */
public interface RoomObserver {
  RoomObserver NONE = new RoomObserver() {};

  /** An observer that tells each of {@code observers}, in order. */
  static RoomObserver all(java.util.List<RoomObserver> observers) {
    java.util.List<RoomObserver> list = java.util.List.copyOf(observers);
    return new RoomObserver() {
      @Override
      public void roomStarted(Room room) {
        list.forEach(o -> o.roomStarted(room));
      }

      @Override
      public void roomFinished(Room room) {
        list.forEach(o -> o.roomFinished(room));
      }

      @Override
      public void participantJoined(Room room, Participant p) {
        list.forEach(o -> o.participantJoined(room, p));
      }

      @Override
      public void participantLeft(Room room, Participant p, String reason) {
        list.forEach(o -> o.participantLeft(room, p, reason));
      }

      @Override
      public void trackPublished(Room room, Participant p, Producer track) {
        list.forEach(o -> o.trackPublished(room, p, track));
      }

      @Override
      public void trackUnpublished(Room room, Participant p, Producer track) {
        list.forEach(o -> o.trackUnpublished(room, p, track));
      }
    };
  }

  default void roomStarted(Room room) {}

  /** The last participant left and the room closed. */
  default void roomFinished(Room room) {}

  default void participantJoined(Room room, Participant participant) {}

  default void participantLeft(Room room, Participant participant, String reason) {}

  /** {@code participant} is null when the publisher has no signaling connection. */
  default void trackPublished(Room room, Participant participant, Producer track) {}

  default void trackUnpublished(Room room, Participant participant, Producer track) {}
}
