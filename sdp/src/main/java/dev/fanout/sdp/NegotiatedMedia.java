package dev.fanout.sdp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of negotiating one media section — what the router needs to route its packets.
 *
 * @param accepted      false for a rejected or removed section (port 0); then the lists are empty
 * @param direction     the section's direction from the server's point of view
 * @param codecs        agreed codecs in preference order; RTX is folded into each codec
 * @param extensionIds  agreed header extension URI → id
 * @param ssrcs         SSRCs the sender declared ({@code a=ssrc}), media and RTX alike
 * @param ssrcGroups    FID and SIM groups the sender declared
 * @param rids          simulcast rids the server receives (publish) in the sender's order
 * @param msid          the sender's {@code a=msid}, or null
 * @param cname         the sender's CNAME from {@code a=ssrc ... cname:}, or null
 * @param transport     the remote transport parameters (shared by every section of a BUNDLE)
 */
public record NegotiatedMedia(String mid, MediaKind kind, boolean accepted, Direction direction,
                              List<NegotiatedCodec> codecs, Map<String, Integer> extensionIds,
                              List<Long> ssrcs, List<SsrcGroup> ssrcGroups, List<String> rids,
                              Msid msid, String cname, TransportDescription transport) {

    public NegotiatedMedia {
        codecs = List.copyOf(codecs);
        extensionIds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensionIds));
        ssrcs = List.copyOf(ssrcs);
        ssrcGroups = List.copyOf(ssrcGroups);
        rids = List.copyOf(rids);
    }

    public Optional<NegotiatedCodec> codec(int payloadType) {
        return codecs.stream().filter(c -> c.payloadType() == payloadType).findFirst();
    }

    /** The codec an RTX payload type repairs. */
    public Optional<NegotiatedCodec> codecForRtx(int rtxPayloadType) {
        return codecs.stream().filter(c -> c.rtxPayloadType() == rtxPayloadType).findFirst();
    }

    /** Media payload type → its RTX payload type (the {@code apt} relation reversed). */
    public Map<Integer, Integer> rtxPayloadTypes() {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (NegotiatedCodec c : codecs) {
            if (c.hasRtx()) {
                out.put(c.payloadType(), c.rtxPayloadType());
            }
        }
        return out;
    }

    public OptionalInt extensionId(String uri) {
        Integer id = extensionIds.get(uri);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public boolean simulcast() {
        return rids.size() > 1;
    }
}
