package dev.fanout.dtls;

import dev.fanout.rtp.srtp.SrtpProfile;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link DtlsStack}. Start from {@link #defaults()} and change what you need with
 * the {@code with…} methods.
 *
 * @param maxHandshakes most handshakes in progress at once, each on its own thread (Bouncy
 *     Castle's handshake blocks its thread while it waits for the peer); threads are created on
 *     demand and end after 30 s idle. A new handshake beyond this takes the place of the oldest
 *     one if that one has run for {@link DtlsStack#EVICTABLE_AGE} or longer, and otherwise fails
 *     at once with {@link DtlsFailure.Reason#OVERLOADED}
 * @param handshakeTimeout how long a handshake may take from its first datagram to completion
 * @param silenceTimeout how long a handshake waits for a peer that has not answered our first
 *     flight (as the server: sent nothing but ClientHellos; as the client: nothing at all) and
 *     has been silent since our last answer, before it fails; our retransmissions do not count.
 *     Once the peer has answered, only {@code handshakeTimeout} applies: a live peer may then be
 *     silent for good reason (it waits for its own retransmission timer)
 * @param initialRetransmit first retransmission timeout of a handshake flight; doubles on each
 *     retransmission up to 60 s (RFC 6347 §4.2.4.1 recommends 1 s)
 * @param mtu largest datagram we send (handshake messages are fragmented to fit)
 * @param maxQueuedDatagrams received datagrams a connection holds while its handshake thread is
 *     busy; more are dropped
 * @param srtpProfiles the use_srtp profiles we offer (client) or accept (server), most preferred
 *     first
 */
public record DtlsConfig(
    int maxHandshakes,
    Duration handshakeTimeout,
    Duration silenceTimeout,
    Duration initialRetransmit,
    int mtu,
    int maxQueuedDatagrams,
    List<SrtpProfile> srtpProfiles) {

  /** Smallest MTU we accept: IPv6's minimum link MTU minus IP and UDP headers. */
  public static final int MIN_MTU = 1232 - 32;

  public DtlsConfig {
    if (maxHandshakes < 1) {
      throw new IllegalArgumentException("maxHandshakes must be at least 1");
    }
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout must be positive");
    }
    if (silenceTimeout.isNegative() || silenceTimeout.isZero()) {
      throw new IllegalArgumentException("silenceTimeout must be positive");
    }
    if (initialRetransmit.toMillis() < 1) {
      throw new IllegalArgumentException("initialRetransmit must be at least 1 ms");
    }
    if (mtu < MIN_MTU || mtu > 65_507) {
      throw new IllegalArgumentException("mtu must be within [" + MIN_MTU + ", 65507]");
    }
    if (maxQueuedDatagrams < 1) {
      throw new IllegalArgumentException("maxQueuedDatagrams must be at least 1");
    }
    srtpProfiles = List.copyOf(srtpProfiles);
    if (srtpProfiles.isEmpty()) {
      throw new IllegalArgumentException("at least one SRTP profile is needed");
    }
  }

  /**
   * 256 handshakes in progress, 10 s handshake timeout, 4 s silence timeout, 1 s first
   * retransmission, 1200-byte datagrams, 64 queued datagrams, AEAD_AES_128_GCM then
   * AES_CM_128_HMAC_SHA1_80.
   */
  public static DtlsConfig defaults() {
    return new DtlsConfig(
        256,
        Duration.ofSeconds(10),
        Duration.ofSeconds(4),
        Duration.ofSeconds(1),
        1200,
        64,
        List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80));
  }

  public DtlsConfig withMaxHandshakes(int max) {
    return new DtlsConfig(max, handshakeTimeout, silenceTimeout, initialRetransmit, mtu,
        maxQueuedDatagrams, srtpProfiles);
  }

  public DtlsConfig withHandshakeTimeout(Duration timeout) {
    return new DtlsConfig(maxHandshakes, timeout, silenceTimeout, initialRetransmit, mtu,
        maxQueuedDatagrams, srtpProfiles);
  }

  public DtlsConfig withSilenceTimeout(Duration timeout) {
    return new DtlsConfig(maxHandshakes, handshakeTimeout, timeout, initialRetransmit, mtu,
        maxQueuedDatagrams, srtpProfiles);
  }

  public DtlsConfig withInitialRetransmit(Duration retransmit) {
    return new DtlsConfig(maxHandshakes, handshakeTimeout, silenceTimeout, retransmit, mtu,
        maxQueuedDatagrams, srtpProfiles);
  }

  public DtlsConfig withMtu(int newMtu) {
    return new DtlsConfig(maxHandshakes, handshakeTimeout, silenceTimeout, initialRetransmit,
        newMtu, maxQueuedDatagrams, srtpProfiles);
  }

  public DtlsConfig withSrtpProfiles(SrtpProfile... profiles) {
    return new DtlsConfig(maxHandshakes, handshakeTimeout, silenceTimeout, initialRetransmit, mtu,
        maxQueuedDatagrams, List.of(profiles));
  }
}
