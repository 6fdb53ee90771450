package dev.fanout.sdp;

/** The two media kinds the SFU forwards. */
public enum MediaKind {
    AUDIO("audio"),
    VIDEO("video");

    private final String sdpName;

    MediaKind(String sdpName) {
        this.sdpName = sdpName;
    }

    /** The media type as written in {@code m=}. */
    public String sdpName() {
        return sdpName;
    }

    /** The kind for an {@code m=} media type, or null for anything else (application, text, ...). */
    public static MediaKind fromSdp(String media) {
        for (MediaKind k : values()) {
            if (k.sdpName.equals(media)) {
                return k;
            }
        }
        return null;
    }
}
