package dev.fanout.sdp;

import java.util.List;
import java.util.Map;

/**
 * A codec both sides agreed on for one media section, with the payload type numbers of that
 * negotiation.
 *
 * @param parameters     fmtp parameters of the sending side (what the stream will carry)
 * @param feedback       agreed rtcp-fb kinds ({@code nack}, {@code nack pli}, {@code ccm fir}, ...)
 * @param rtxPayloadType the RTX payload type repairing this codec, or -1 without RTX
 */
public record NegotiatedCodec(int payloadType, String name, int clockRate, int channels,
                              Map<String, String> parameters, List<String> feedback, int rtxPayloadType) {

    public NegotiatedCodec {
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        feedback = List.copyOf(feedback);
    }

    public boolean hasRtx() {
        return rtxPayloadType >= 0;
    }

    public boolean isRed() {
        return name.equalsIgnoreCase("red");
    }

    public boolean hasFeedback(String kind) {
        return feedback.contains(kind);
    }

    /** Same codec and bitstream format, whatever the payload type numbers. */
    public boolean sameFormat(NegotiatedCodec other) {
        return name.equalsIgnoreCase(other.name)
                && clockRate == other.clockRate
                && Math.max(channels, 1) == Math.max(other.channels, 1)
                && (isRed() || CodecCapability.sameFormat(name, parameters, other.parameters));
    }

    NegotiatedCodec withPayloadTypes(int pt, int rtxPt) {
        return new NegotiatedCodec(pt, name, clockRate, channels, parameters, feedback, rtxPt);
    }
}
