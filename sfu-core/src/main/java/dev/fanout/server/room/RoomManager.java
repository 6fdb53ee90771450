package dev.fanout.server.room;

import dev.fanout.server.media.Router;
import io.netty.channel.EventLoop;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Opens rooms on demand and closes them when the last participant leaves. Each room is pinned to
 * one event loop for its whole life.
 */
public final class RoomManager {
  /** Makes the media router of a new room. */
  @FunctionalInterface
  public interface RouterFactory {
    Router create(String room, EventLoop loop, Router.Listener listener);
  }

  private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
  private final AtomicLong participants = new AtomicLong();
  private final Supplier<EventLoop> loops;
  private final RouterFactory routers;
  private final RoomObserver observer;
  private final int maxParticipantsPerRoom;

  /**
   * @param loops picks the event loop of a new room
   * @param observer hears of every room's life (webhooks)
   */
  public RoomManager(Supplier<EventLoop> loops, RouterFactory routers, RoomObserver observer,
      int maxParticipantsPerRoom) {
    this.loops = loops;
    this.routers = routers;
    this.observer = observer;
    this.maxParticipantsPerRoom = maxParticipantsPerRoom;
  }

  /** The room with this name, opened if needed. */
  public Room room(String name) {
    return open(name, maxParticipantsPerRoom, 0);
  }

  RoomObserver observer() {
    return observer;
  }

  /**
   * Opens a room with its own limits (the room service API); an open room keeps its limits and
   * is returned as it is.
   *
   * @param maxParticipants 0: the server's limit
   * @param emptyTimeoutSeconds how long it stays open without participants, from now and after
   *     each time it empties
   */
  public Room create(String name, int maxParticipants, int emptyTimeoutSeconds) {
    Room r = open(name, maxParticipants > 0 ? maxParticipants : maxParticipantsPerRoom, emptyTimeoutSeconds);
    if (emptyTimeoutSeconds > 0) {
      // Opened empty: its timeout runs from now.
      r.loop().execute(() -> closeIfEmpty(r));
    }
    return r;
  }

  private Room open(String name, int maxParticipants, int emptyTimeoutSeconds) {
    Room[] opened = new Room[1];
    Room r = rooms.computeIfAbsent(name,
        n -> opened[0] = new Room(n, loops.get(), maxParticipants, emptyTimeoutSeconds, this, routers));
    if (opened[0] != null) {
      observer.roomStarted(r);
    }
    return r;
  }

  /** The room with this name if open. */
  public Room existing(String name) {
    return rooms.get(name);
  }

  /** Whether {@code room} is still the open room of its name (it may have closed meanwhile). */
  public boolean isOpen(Room room) {
    return rooms.get(room.name()) == room;
  }

  public Collection<Room> rooms() {
    return Collections.unmodifiableCollection(rooms.values());
  }

  public long roomCount() {
    return rooms.size();
  }

  public long participantCount() {
    return participants.get();
  }

  void participantCountChanged(int delta) {
    participants.addAndGet(delta);
  }

  void closeIfEmpty(Room room) {
    // Called on the room's loop; a join racing with this close runs on the same loop after it and
    // re-opens the room through room(name), which then creates a fresh one.
    if (!room.participants().isEmpty()) {
      return;
    }
    int timeout = room.emptyTimeoutSeconds();
    if (timeout > 0) {
      // Checked again when the timeout ends: a participant may have come and gone meanwhile, and
      // the last to leave scheduled its own check.
      long emptying = room.markEmpty();
      room.loop().schedule(() -> {
        if (room.participants().isEmpty() && room.timesEmptied() == emptying && room.emptyTimeoutSeconds() > 0) {
          finish(room);
        }
      }, timeout, java.util.concurrent.TimeUnit.SECONDS);
      return;
    }
    finish(room);
  }

  private void finish(Room room) {
    if (rooms.remove(room.name(), room)) {
      room.router().close();
      observer.roomFinished(room);
    }
  }
}
