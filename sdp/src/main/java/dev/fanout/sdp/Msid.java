package dev.fanout.sdp;

import java.util.List;

/** {@code a=msid:<stream id> [<track id>]} (RFC 8830). {@code trackId} is null when absent. */
public record Msid(String streamId, String trackId) {

    public static final String NAME = "msid";

    static Msid parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        List<String> f = Tokens.fields(value, "a=msid");
        if (f.size() > 2) {
            throw SdpParseException.value("a=msid has more than two fields");
        }
        String stream = Tokens.visible(f.get(0), "msid stream id");
        String track = f.size() == 2 ? Tokens.visible(f.get(1), "msid track id") : null;
        if (stream.length() > 64 || (track != null && track.length() > 64)) {
            throw SdpParseException.value("a=msid identifier longer than 64 chars");
        }
        return new Msid(stream, track);
    }

    public String value() {
        return trackId == null ? streamId : streamId + ' ' + trackId;
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
