package dev.fanout.sdp;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A codec the server can forward.
 *
 * @param parameters           fmtp parameters the server writes when it offers this codec, and
 *                             the ones that decide compatibility (see {@link #accepts})
 * @param feedback             rtcp-fb kinds the server supports for it ({@code nack pli}, ...)
 * @param rtx                  whether an RTX (RFC 4588) format is negotiated alongside
 * @param preferredPayloadType the payload type used when the server is the offerer and the
 *                             number is still free
 */
public record CodecCapability(MediaKind kind, String name, int clockRate, int channels,
                              Map<String, String> parameters, List<String> feedback, boolean rtx,
                              int preferredPayloadType) {

    public CodecCapability {
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        feedback = List.copyOf(feedback);
    }

    /**
     * Whether an offered format can be received as this codec: same name (case-insensitive),
     * clock rate and channel count, and the parameters that change the bitstream agree —
     * VP9 {@code profile-id}, AV1 {@code profile}, H.264 {@code packetization-mode} and the
     * profile part of {@code profile-level-id} (RFC 6184 §8.2.2).
     */
    public boolean accepts(Rtpmap rtpmap, Map<String, String> offeredParameters) {
        if (!name.equalsIgnoreCase(rtpmap.encodingName()) || clockRate != rtpmap.clockRate()) {
            return false;
        }
        if (Math.max(channels, 1) != Math.max(rtpmap.channels(), 1)) {
            return false;
        }
        return sameFormat(name, parameters, offeredParameters);
    }

    /** Whether two fmtp parameter sets of one codec describe the same bitstream format. */
    static boolean sameFormat(String codecName, Map<String, String> a, Map<String, String> b) {
        switch (codecName.toUpperCase(Locale.ROOT)) {
            case "VP9":
                return a.getOrDefault("profile-id", "0").equals(b.getOrDefault("profile-id", "0"));
            case "AV1":
                return a.getOrDefault("profile", "0").equals(b.getOrDefault("profile", "0"));
            case "H264": {
                if (!a.getOrDefault("packetization-mode", "0").equals(b.getOrDefault("packetization-mode", "0"))) {
                    return false;
                }
                H264ProfileLevelId pa = H264ProfileLevelId.fromParameters(a);
                H264ProfileLevelId pb = H264ProfileLevelId.fromParameters(b);
                return pa != null && pa.sameProfile(pb);
            }
            default:
                return true;
        }
    }
}
