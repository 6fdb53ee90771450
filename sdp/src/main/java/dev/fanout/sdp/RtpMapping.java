package dev.fanout.sdp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Translation between a producer's negotiation and a consumer's. The server chooses its own
 * payload types and extension ids on each subscribe connection (preferring the producer's
 * numbers, so the maps are usually the identity), and the forwarding path rewrites each
 * packet's payload type and header extension ids with these maps.
 */
public final class RtpMapping {
    private RtpMapping() {}

    /**
     * Producer payload type → consumer payload type for every codec both negotiated, RTX
     * payload types included (a producer RTX type maps to the consumer's RTX type of the same
     * codec, or is absent when the consumer has no RTX for it).
     */
    public static Map<Integer, Integer> payloadTypes(NegotiatedMedia producer, NegotiatedMedia consumer) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (NegotiatedCodec p : producer.codecs()) {
            for (NegotiatedCodec c : consumer.codecs()) {
                if (p.sameFormat(c)) {
                    out.put(p.payloadType(), c.payloadType());
                    if (p.hasRtx() && c.hasRtx()) {
                        out.put(p.rtxPayloadType(), c.rtxPayloadType());
                    }
                    break;
                }
            }
        }
        return out;
    }

    /** Producer extension id → consumer extension id for every URI both negotiated. */
    public static Map<Integer, Integer> extensionIds(NegotiatedMedia producer, NegotiatedMedia consumer) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (var e : producer.extensionIds().entrySet()) {
            Integer id = consumer.extensionIds().get(e.getKey());
            if (id != null) {
                out.put(e.getValue(), id);
            }
        }
        return out;
    }
}
