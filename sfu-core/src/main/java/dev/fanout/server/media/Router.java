package dev.fanout.server.media;

import io.netty.channel.EventLoop;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The media of one room: its peers, the tracks they publish ({@link Producer}s, the one place a
 * track's state lives) and who receives what ({@link DownTrack}s). Adapters drive it — WebSocket
 * signaling today, WHIP/WHEP and node-to-node relays later — and learn what happens through
 * {@link Listener}; the router itself knows no signaling. Every method runs on the room's loop,
 * as does every packet of its peers, so it needs no locks.
 */
public final class Router {
  private static final char[] ALPHABET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a router tells its adapter; called on the room's loop. */
  public interface Listener {
    /** A track was published; everyone else may subscribe to it now. */
    void trackPublished(Producer track);

    /**
     * A track ended (unpublished, its section dropped by a new offer, or its peer removed); every
     * subscription to it is already gone.
     */
    void trackUnpublished(Producer track);

    /** A track's mute state changed. */
    void trackMuted(Producer track);

    /** The peer's subscribe connection needs this offer answered ({@link #subscriberAnswer}). */
    void subscriberOffer(Peer peer, SubscriberOffer offer);

    /** A connection of the peer failed (ICE consent, DTLS); the adapter should remove the peer. */
    void peerFailed(Peer peer, String reason);
  }

  /** One section a peer wants to publish, as it described it. */
  public record TrackRequest(String mid, String kind, String source, boolean muted) {}

  /** The publish answer and the tracks it created, in request order. */
  public record PublishResult(String answer, List<Producer> created) {}

  /** A subscribe offer; {@code tracks} says which section carries what. */
  public record SubscriberOffer(long revision, String sdp, List<OfferedTrack> tracks) {}

  /** One section of a subscribe offer: its mid, the track it carries and who publishes it. */
  public record OfferedTrack(String mid, String trackId, String publisher) {}

  private final MediaEngine engine;
  private final EventLoop loop;
  private final String name;
  private final Listener listener;
  private final Map<String, Peer> peers = new LinkedHashMap<>();
  private final Map<String, Producer> tracks = new LinkedHashMap<>();

  public Router(MediaEngine engine, EventLoop loop, String name, Listener listener) {
    this.engine = engine;
    this.loop = loop;
    this.name = name;
    this.listener = listener;
  }

  public String name() {
    return name;
  }

  public EventLoop loop() {
    return loop;
  }

  /** Adds a peer; one already there under the same identity is removed first. */
  public Peer addPeer(String identity) {
    assert loop.inEventLoop();
    Peer old = peers.get(identity);
    if (old != null) {
      removePeer(old);
    }
    Peer p = new Peer(this, engine, loop, identity);
    peers.put(identity, p);
    return p;
  }

  /** Removes a peer: its tracks end for everyone, its subscriptions and connections close. Idempotent. */
  public void removePeer(Peer peer) {
    assert loop.inEventLoop();
    if (peers.get(peer.identity()) != peer) {
      return;
    }
    for (Producer p : new ArrayList<>(peer.published())) {
      end(peer, p);
    }
    peers.remove(peer.identity());
    peer.close();
  }

  public Peer peer(String identity) {
    return peers.get(identity);
  }

  /** Every published track, in publication order. */
  public Collection<Producer> tracks() {
    return Collections.unmodifiableCollection(tracks.values());
  }

  /** The published track with this id, or null. */
  public Producer track(String trackId) {
    return tracks.get(trackId);
  }

  /**
   * Answers a publish offer of {@code peer} and creates a track per request; sections the new
   * offer no longer sends end (listeners hear {@link Listener#trackUnpublished}).
   */
  public PublishResult publish(Peer peer, String offer, List<TrackRequest> requests) throws MediaException {
    Publication.Result r = live(peer).publication().publish(offer, requests, this::newTrackId);
    for (Producer ended : r.ended()) {
      end(peer, ended);
    }
    for (Producer created : r.created()) {
      tracks.put(created.trackId(), created);
      listener.trackPublished(created);
    }
    return new PublishResult(r.answer(), r.created());
  }

  /** Ends tracks of {@code peer}; all or, if one is not the peer's, none. */
  public void unpublish(Peer peer, List<String> trackIds) throws MediaException {
    List<Producer> found = new ArrayList<>();
    for (String id : trackIds) {
      found.add(own(peer, id));
    }
    for (Producer p : found) {
      if (!p.closed()) {
        end(peer, p);
      }
    }
  }

  /** Sets a track's mute state; listeners hear of a change. */
  public void setMuted(Peer peer, String trackId, boolean muted) throws MediaException {
    Producer p = own(peer, trackId);
    if (p.muted() != muted) {
      p.setMuted(muted);
      listener.trackMuted(p);
    }
  }

  /**
   * Mutes or unmutes a track of {@code peer} for everyone, whatever the publisher does: while
   * muted the server forwards none of it (an administrator's mute; the room service API).
   * Listeners hear of a change.
   */
  public void setMutedByServer(Peer peer, String trackId, boolean muted) throws MediaException {
    Producer p = own(peer, trackId);
    p.setBlocked(muted, System.nanoTime());
    if (p.muted() != muted) {
      p.setMuted(muted);
      listener.trackMuted(p);
    }
  }

  /** Subscribes {@code peer} to a track of another peer; returns the mid of its section. */
  public String subscribe(Peer peer, String trackId) throws MediaException {
    Producer p = tracks.get(trackId);
    if (p == null) {
      throw new MediaException(MediaException.Reason.TRACK_NOT_FOUND, "no published track '" + trackId + "' in this room");
    }
    if (p.publisher().equals(peer.identity())) {
      throw new MediaException(MediaException.Reason.INVALID_PARAMS, "you cannot subscribe to your own track");
    }
    return live(peer).subscription().add(p);
  }

  public void unsubscribe(Peer peer, String trackId) throws MediaException {
    if (!live(peer).subscription().remove(trackId)) {
      throw new MediaException(MediaException.Reason.TRACK_NOT_FOUND, "you are not subscribed to '" + trackId + "'");
    }
  }

  /** Applies the peer's answer to its outstanding subscribe offer. */
  public void subscriberAnswer(Peer peer, long revision, String sdp) throws MediaException {
    live(peer).subscription().answer(revision, sdp);
  }

  void subscriberOffer(Peer peer, SubscriberOffer offer) {
    listener.subscriberOffer(peer, offer);
  }

  void peerFailed(Peer peer, String reason) {
    if (peers.get(peer.identity()) == peer) {
      listener.peerFailed(peer, reason);
    }
  }

  /** Closes every peer (the room closes). */
  public void close() {
    for (Peer p : new ArrayList<>(peers.values())) {
      removePeer(p);
    }
  }

  private Peer live(Peer peer) throws MediaException {
    if (peer.closed() || peers.get(peer.identity()) != peer) {
      throw new MediaException(MediaException.Reason.INVALID_STATE, "the peer has left");
    }
    return peer;
  }

  private Producer own(Peer peer, String trackId) throws MediaException {
    Producer p = tracks.get(trackId);
    if (p == null || !p.publisher().equals(peer.identity()) || peers.get(peer.identity()) != peer) {
      throw new MediaException(MediaException.Reason.TRACK_NOT_FOUND, "you publish no track '" + trackId + "'");
    }
    return p;
  }

  /** Ends a track everywhere: subscribers drop their sections (and renegotiate), then listeners hear. */
  private void end(Peer owner, Producer producer) {
    tracks.remove(producer.trackId());
    for (Peer other : peers.values()) {
      if (other != owner) {
        other.dropSubscription(producer.trackId());
      }
    }
    owner.publication().end(producer);
    listener.trackUnpublished(producer);
  }

  private String newTrackId() {
    String id;
    do {
      char[] c = new char[12];
      for (int i = 0; i < c.length; i++) {
        c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
      }
      id = "TR_" + new String(c);
    } while (tracks.containsKey(id));
    return id;
  }
}
