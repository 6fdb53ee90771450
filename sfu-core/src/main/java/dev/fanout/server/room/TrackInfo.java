package dev.fanout.server.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.server.signaling.SignalingCodec;
import java.util.List;

/**
 * A published track as the room describes it to everyone: what {@code track-published} carries.
 * Mutable only on the room's event loop.
 */
public final class TrackInfo {
  private final String trackId;
  private final String publisher;
  private final String kind;
  private final String source;
  private final String mid;
  private final List<String> simulcastRids;
  private boolean muted;

  public TrackInfo(String trackId, String publisher, String kind, String source, String mid,
      List<String> simulcastRids, boolean muted) {
    this.trackId = trackId;
    this.publisher = publisher;
    this.kind = kind;
    this.source = source;
    this.mid = mid;
    this.simulcastRids = List.copyOf(simulcastRids);
    this.muted = muted;
  }

  public String trackId() {
    return trackId;
  }

  public String publisher() {
    return publisher;
  }

  public String kind() {
    return kind;
  }

  public String source() {
    return source;
  }

  /** The mid of the publisher's media section carrying this track. */
  public String mid() {
    return mid;
  }

  public List<String> simulcastRids() {
    return simulcastRids;
  }

  public boolean muted() {
    return muted;
  }

  void setMuted(boolean muted) {
    this.muted = muted;
  }

  public ObjectNode toJson() {
    ObjectNode o = SignalingCodec.JSON.createObjectNode();
    o.put("trackId", trackId);
    o.put("kind", kind);
    o.put("source", source);
    o.put("muted", muted);
    if (!simulcastRids.isEmpty()) {
      simulcastRids.forEach(o.putArray("simulcast")::add);
    }
    return o;
  }
}
