package dev.fanout.server.media;

import io.netty.channel.EventLoop;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;

/**
 * One peer of a {@link Router}: a browser, a bot, later a WHIP publisher or a relay. It has up to
 * two connections, made when first needed: a {@link Publication} (the peer offers) and a
 * {@link Subscription} (the server offers). Nothing here knows how the peer is signalled.
 */
public final class Peer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Router router;
  private final MediaEngine engine;
  private final EventLoop loop;
  private final String identity;
  private final String label;
  private final long sessionId = RANDOM.nextLong() & (Long.MAX_VALUE >> 1);
  private Publication publication;
  private Subscription subscription;
  private boolean closed;

  Peer(Router router, MediaEngine engine, EventLoop loop, String identity) {
    this.router = router;
    this.engine = engine;
    this.loop = loop;
    this.identity = identity;
    this.label = router.name() + "/" + identity;
  }

  public String identity() {
    return identity;
  }

  String label() {
    return label;
  }

  boolean closed() {
    return closed;
  }

  Publication publication() {
    if (publication == null) {
      publication = new Publication(engine, loop, this, sessionId);
    }
    return publication;
  }

  Subscription subscription() {
    if (subscription == null) {
      subscription = new Subscription(engine, loop, this, sessionId + 1);
    }
    return subscription;
  }

  /** The tracks this peer publishes, in publication order. */
  public Collection<Producer> published() {
    return publication == null ? List.of() : publication.producers();
  }

  /** The track ids this peer subscribes to, in subscription order. */
  public List<String> subscriptions() {
    return subscription == null ? List.of() : subscription.trackIds();
  }

  /** The publish connection's transport, or null before the first publish. */
  public WebRtcTransport publishTransport() {
    return publication == null ? null : publication.transport();
  }

  /** The subscribe connection's transport, or null before the first subscription. */
  public WebRtcTransport subscribeTransport() {
    return subscription == null ? null : subscription.transport();
  }

  /** Drops the subscription to a track if there is one (its producer ended). */
  void dropSubscription(String trackId) {
    if (subscription != null) {
      subscription.remove(trackId);
    }
  }

  void offer(Router.SubscriberOffer offer) {
    if (!closed) {
      router.subscriberOffer(this, offer);
    }
  }

  void transportFailed(String reason) {
    if (!closed) {
      router.peerFailed(this, reason);
    }
  }

  /** Releases both connections and everything on them. The router ends the producers first. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (subscription != null) {
      subscription.close();
    }
    if (publication != null) {
      publication.close();
    }
  }
}
