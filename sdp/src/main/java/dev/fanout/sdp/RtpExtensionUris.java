package dev.fanout.sdp;

/** URIs of the RTP header extensions the SFU negotiates. */
public final class RtpExtensionUris {
    private RtpExtensionUris() {}

    /** RFC 9143 §14: the MID of the media section a packet belongs to. */
    public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /** RFC 8852: RtpStreamId, the rid of a simulcast encoding. */
    public static final String RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    /** RFC 8852: RepairedRtpStreamId, the rid an RTX stream repairs. */
    public static final String REPAIRED_RID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    /** 24-bit absolute send time used by REMB. */
    public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    /** Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
    public static final String TRANSPORT_WIDE_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /** RFC 6464: client-to-mixer audio level. */
    public static final String SSRC_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /**
     * AV1 RTP payload format, appendix A: the dependency descriptor, which AV1 (and Chromium's
     * SVC for other codecs) needs for a receiver to assemble and decode frames.
     */
    public static final String DEPENDENCY_DESCRIPTOR =
            "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
    /** 3GPP TS 26.114 §7.4.5: coordination of video orientation (rotation of the picture). */
    public static final String VIDEO_ORIENTATION = "urn:3gpp:video-orientation";
}
