package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The answerer side of JSEP (RFC 8829 §5.3) for a publish connection: the browser offers
 * the tracks it sends, the server answers with what it will receive.
 *
 * <p>Every offered audio/video section in the BUNDLE group with at least one supported codec
 * is accepted; others (data channels, unsupported codecs, sections outside the group) are
 * rejected with port 0. Accepted codecs keep the offer's payload type numbers and order;
 * accepted header extensions keep the offer's ids. A sendonly or sendrecv section is answered
 * recvonly, a recvonly or inactive one inactive.
 */
public final class PublishNegotiator {
    private PublishNegotiator() {}

    public static PublishAnswer buildPublishAnswer(SessionDescription offer, LocalTransport local,
                                                   MediaCapabilities caps, Origin origin) throws SdpNegotiationException {
        List<String> bundle = bundleMids(offer);
        TransportDescription remote = null;
        List<NegotiatedMedia> negotiated = new ArrayList<>();
        List<MediaDescription> answerSections = new ArrayList<>();
        Set<String> accepted = new HashSet<>();

        for (int index = 0; index < offer.media().size(); index++) {
            MediaDescription m = offer.media().get(index);
            String mid = m.mid().orElseThrow(() -> new SdpNegotiationException("offer has a media section without a=mid"));
            MediaKind kind = MediaKind.fromSdp(m.kind());
            Offered o = kind == null || m.isRejected() || !bundle.contains(mid) || !m.rtcpMux()
                    || !m.mediaLine().proto().equals(Jsep.PROTO)
                    ? null : matchCodecs(m, kind, caps);
            if (o == null || o.codecs.isEmpty()) {
                answerSections.add(rejected(m, mid));
                negotiated.add(new NegotiatedMedia(mid, kind, false, Direction.INACTIVE, List.of(), Map.of(),
                        List.of(), List.of(), List.of(), null, null, null));
                continue;
            }
            if (remote == null) {
                remote = Jsep.remoteTransport(offer, m, true);
            }
            Direction offered = offer.direction(m);
            Direction dir = offered.sends() ? Direction.RECVONLY : Direction.INACTIVE;

            MediaDescription.Builder b = MediaDescription.builder(
                    MediaLine.of(m.kind(), Jsep.defaultPort(local), Jsep.PROTO, formats(o.codecs)));
            Jsep.appendTransport(b, local, remote.localSetup());
            b.attribute(Attributes.MID, mid);

            Map<String, Integer> extIds = new LinkedHashMap<>();
            for (Extmap e : m.extmaps()) {
                if (caps.extensions(kind).containsKey(e.uri()) && !extIds.containsKey(e.uri())) {
                    extIds.put(e.uri(), e.id());
                    Direction ed = e.direction() == null ? null : e.direction().reverse();
                    b.line(new Extmap(e.id(), ed, e.uri(), null).line());
                }
            }
            b.attribute(dir.token());
            b.attribute(Attributes.RTCP_MUX);
            if (m.rtcpReducedSize()) {
                b.attribute(Attributes.RTCP_RSIZE);
            }
            for (NegotiatedCodec c : o.codecs) {
                Jsep.appendCodec(b, c, o.answerFmtp.get(c.payloadType()));
            }

            List<String> rids = List.of();
            var sim = m.simulcast();
            if (sim.isPresent() && !sim.get().send().isEmpty() && extIds.containsKey(RtpExtensionUris.RID)) {
                Set<String> declared = new HashSet<>();
                for (Rid r : m.rids()) {
                    if (r.send()) {
                        declared.add(r.id());
                    }
                }
                List<String> simRids = sim.get().rids(true);
                if (declared.containsAll(simRids)) {
                    rids = simRids;
                    for (String r : rids) {
                        b.line(new Rid(r, false, null).line());
                    }
                    b.line(new Simulcast(List.of(), sim.get().send()).line());
                }
            }

            answerSections.add(b.build());
            accepted.add(mid);
            negotiated.add(new NegotiatedMedia(mid, kind, true, dir, o.codecs, extIds, m.ssrcs(), m.ssrcGroups(),
                    rids, Jsep.msid(m), Jsep.cname(m), remote));
        }

        SessionDescription.Builder sb = SessionDescription.builder().standardHeader(origin);
        sb.attribute(Attributes.ICE_LITE);
        if (offer.hasAttribute(Attributes.EXTMAP_ALLOW_MIXED)
                || offer.media().stream().anyMatch(m -> Attributes.has(m.lines(), Attributes.EXTMAP_ALLOW_MIXED))) {
            // Lets the publisher send long elements (the dependency descriptor) in the two-byte form.
            sb.attribute(Attributes.EXTMAP_ALLOW_MIXED);
        }
        List<String> groupMids = bundle.stream().filter(accepted::contains).toList();
        if (!groupMids.isEmpty()) {
            sb.line(new Group(Group.BUNDLE, groupMids).line());
        }
        answerSections.forEach(sb::media);
        List<NegotiatedMedia> finalMedia = negotiated;
        return new PublishAnswer(sb.build(), new NegotiatedSession(finalMedia, remote));
    }

    private static List<String> bundleMids(SessionDescription offer) throws SdpNegotiationException {
        var group = offer.bundleGroup();
        if (group.isPresent()) {
            return group.get().mids();
        }
        if (offer.media().size() > 1) {
            throw new SdpNegotiationException("offer with several media sections has no a=group:BUNDLE");
        }
        return offer.media().isEmpty() ? List.of() : offer.media().get(0).mid().map(List::of).orElse(List.of());
    }

    private static MediaDescription rejected(MediaDescription m, String mid) {
        MediaLine ml = m.mediaLine();
        return MediaDescription.builder(new MediaLine(ml.kind(), 0, 0, ml.proto(), ml.formats()))
                .connection("0.0.0.0")
                .attribute(Attributes.MID, mid)
                .build();
    }

    private static List<String> formats(List<NegotiatedCodec> codecs) {
        List<String> out = new ArrayList<>();
        for (NegotiatedCodec c : codecs) {
            out.add(Integer.toString(c.payloadType()));
            if (c.hasRtx()) {
                out.add(Integer.toString(c.rtxPayloadType()));
            }
        }
        return out;
    }

    /** Accepted codecs in offer order, and the fmtp text to answer for each. */
    private record Offered(List<NegotiatedCodec> codecs, Map<Integer, String> answerFmtp) {}

    private static Offered matchCodecs(MediaDescription m, MediaKind kind, MediaCapabilities caps) {
        List<Integer> pts = m.mediaLine().payloadTypes();
        Map<Integer, Rtpmap> rtpmaps = new HashMap<>();
        for (Rtpmap r : m.rtpmaps()) {
            rtpmaps.put(r.payloadType(), r);
        }
        Map<Integer, Integer> rtxByApt = new HashMap<>();
        for (int pt : pts) {
            Rtpmap r = rtpmaps.get(pt);
            if (r != null && r.encodingName().equalsIgnoreCase("rtx")) {
                String apt = m.fmtp(pt).map(f -> f.parameters().get("apt")).orElse(null);
                if (apt != null) {
                    try {
                        rtxByApt.putIfAbsent(Tokens.payloadType(apt), pt);
                    } catch (SdpParseException ignored) {
                        // An rtx format with a malformed apt cannot be used; skip it.
                    }
                }
            }
        }
        List<NegotiatedCodec> codecs = new ArrayList<>();
        Map<Integer, String> answerFmtp = new HashMap<>();
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < pts.size(); i++) {
            int pt = pts.get(i);
            position.putIfAbsent(pt, i);
            Rtpmap r = rtpmaps.get(pt);
            if (r == null) {
                continue;
            }
            String offeredText = m.fmtp(pt).map(Fmtp::parameterText).orElse(null);
            Map<String, String> params = Fmtp.parseParameters(offeredText);
            for (CodecCapability cap : caps.codecs(kind)) {
                if (cap.accepts(r, params)) {
                    List<String> fb = new ArrayList<>();
                    for (RtcpFeedback f : m.rtcpFeedback(pt)) {
                        if (cap.feedback().contains(f.kind()) && !fb.contains(f.kind())) {
                            fb.add(f.kind());
                        }
                    }
                    int rtx = cap.rtx() ? rtxByApt.getOrDefault(pt, -1) : -1;
                    codecs.add(new NegotiatedCodec(pt, r.encodingName(), r.clockRate(), r.channels(), params, fb, rtx));
                    answerFmtp.put(pt, kind == MediaKind.AUDIO ? Jsep.fmtpText(cap.parameters()) : offeredText);
                    break;
                }
            }
        }
        if (kind == MediaKind.AUDIO && caps.audioRed()) {
            Set<Integer> acceptedPts = new HashSet<>();
            codecs.forEach(c -> acceptedPts.add(c.payloadType()));
            for (int pt : pts) {
                Rtpmap r = rtpmaps.get(pt);
                if (r == null || !r.encodingName().equalsIgnoreCase("red") || acceptedPts.isEmpty()) {
                    continue;
                }
                String text = m.fmtp(pt).map(Fmtp::parameterText).orElse(null);
                if (text != null && redReferencesOnly(text, acceptedPts)) {
                    codecs.add(new NegotiatedCodec(pt, r.encodingName(), r.clockRate(), r.channels(),
                            Fmtp.parseParameters(text), List.of(), -1));
                    answerFmtp.put(pt, text);
                }
            }
            codecs.sort(Comparator.comparingInt(c -> position.get(c.payloadType())));
        }
        return new Offered(codecs, answerFmtp);
    }

    /** RFC 2198 fmtp for RED lists the redundant payload types separated by '/'. */
    private static boolean redReferencesOnly(String text, Set<Integer> acceptedPts) {
        for (String part : text.trim().split("/", -1)) {
            try {
                if (!acceptedPts.contains(Tokens.payloadType(part.trim().toLowerCase(Locale.ROOT)))) {
                    return false;
                }
            } catch (SdpParseException e) {
                return false;
            }
        }
        return true;
    }
}
