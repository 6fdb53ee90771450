package dev.fanout.client;

import dev.fanout.sdp.MediaKind;

/**
 * A subscribed track as the subscribe connection's offer describes it: the media section that
 * carries it and the SSRCs and payload types the server sends it with.
 *
 * @param trackId      the publisher's track
 * @param identity     the publisher
 * @param mid          the subscribe connection's media section
 * @param ssrc         the SSRC the server forwards the track with (its own, not the publisher's)
 * @param rtxSsrc      the RTX SSRC (RFC 4588), 0 when the section has none
 * @param payloadType  the first (preferred) codec's payload type
 * @param codec        its encoding name, e.g. {@code VP8} or {@code opus}
 * @param rtxPayloadType the RTX payload type of that codec, -1 when none
 * @param clockRate    that codec's RTP clock rate, e.g. 90000 for video
 */
public record RemoteTrack(String trackId, String identity, String mid, MediaKind kind, int ssrc, int rtxSsrc,
    int payloadType, String codec, int rtxPayloadType, int clockRate) {

  /** Whether {@code ssrc} is this track's RTX stream. */
  public boolean isRtx(int ssrc) {
    return rtxSsrc != 0 && ssrc == rtxSsrc;
  }
}
