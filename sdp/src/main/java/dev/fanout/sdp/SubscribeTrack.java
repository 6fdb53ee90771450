package dev.fanout.sdp;

import java.util.List;
import java.util.Objects;

/**
 * One track the server sends on a subscribe connection: the consumer's identity and SSRCs
 * (chosen by the SFU) and the codecs its producer negotiated, with the producer's payload
 * types. The server offers the same codecs under its own payload types; see
 * {@link RtpMapping} for the translation.
 *
 * @param rtxSsrc the consumer's RTX SSRC, or -1 to offer no RTX for this track
 */
public record SubscribeTrack(MediaKind kind, String streamId, String trackId, String cname,
                             long ssrc, long rtxSsrc, List<NegotiatedCodec> codecs) {

    public SubscribeTrack {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(cname, "cname");
        codecs = List.copyOf(codecs);
        if (codecs.isEmpty()) {
            throw new IllegalArgumentException("a subscribe track needs at least one codec");
        }
        if (ssrc < 0 || ssrc > 0xFFFFFFFFL || rtxSsrc > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("SSRC out of range");
        }
    }

    public boolean rtx() {
        return rtxSsrc >= 0;
    }
}
