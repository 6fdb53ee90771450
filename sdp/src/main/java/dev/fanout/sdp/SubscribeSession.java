package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The offerer side of JSEP (RFC 8829 §5.2) for one subscribe connection, kept across
 * renegotiations. The SFU adds and removes tracks, asks for an offer, hands the browser's
 * answer back, and routes with the resulting {@link NegotiatedSession}.
 *
 * <p>Each track gets one sendonly media section with a fresh mid ({@code "0"}, {@code "1"}, ...).
 * A removed track's section stays in later offers with port 0 (m-lines never disappear); once
 * an answer has confirmed the removal, the next added track reuses that slot under a new mid,
 * as RFC 8829 §5.2.2 allows, so a long session does not grow without bound.
 *
 * <p>Payload types are allocated once per session and shared by all sections (a payload type
 * means the same codec everywhere in the BUNDLE): the producer's number when free, then the
 * capability's preferred number, then the first free dynamic number. Extension ids are the
 * capability's fixed ids. Not thread-safe: use it from the room's event loop.
 */
public final class SubscribeSession {

    private static final Set<String> SUBSCRIBER_EXTENSIONS = Set.of(RtpExtensionUris.MID, RtpExtensionUris.ABS_SEND_TIME,
            RtpExtensionUris.TRANSPORT_WIDE_CC, RtpExtensionUris.SSRC_AUDIO_LEVEL, RtpExtensionUris.DEPENDENCY_DESCRIPTOR,
            RtpExtensionUris.VIDEO_ORIENTATION);

    private final LocalTransport local;
    private final MediaCapabilities caps;
    private final long sessionId;
    private long version;
    private int nextMid;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Integer> payloadTypeByFormat = new HashMap<>();
    private final Map<String, Integer> rtxPayloadTypeByFormat = new HashMap<>();
    private final Set<Integer> usedPayloadTypes = new HashSet<>();
    private List<Offered> pending;
    private NegotiatedSession negotiated;

    private static final class Slot {
        String mid;
        SubscribeTrack track;
        /** The track a removed section last carried; its section stays bundled and inactive. */
        SubscribeTrack lastTrack;
        MediaKind kind;
        List<NegotiatedCodec> codecs = List.of();
        Map<String, Integer> extensions = Map.of();
        boolean offered;
        boolean recyclable;
    }

    /** What one section of the outstanding offer carried. */
    private record Offered(Slot slot, String mid, SubscribeTrack track, List<NegotiatedCodec> codecs,
                           Map<String, Integer> extensions) {}

    public SubscribeSession(LocalTransport local, MediaCapabilities caps, long sessionId) {
        this.local = local;
        this.caps = caps;
        this.sessionId = sessionId;
    }

    /** Adds a track to the next offer and returns the mid of its section. */
    public String addTrack(SubscribeTrack track) {
        List<NegotiatedCodec> codecs = assignPayloadTypes(track);
        if (codecs.isEmpty()) {
            throw new IllegalArgumentException("none of the track's codecs is supported");
        }
        Slot slot = null;
        for (Slot s : slots) {
            if (s.recyclable && s.track == null) {
                slot = s;
                break;
            }
        }
        if (slot == null) {
            slot = new Slot();
            slots.add(slot);
        }
        slot.mid = Integer.toString(nextMid++);
        slot.track = track;
        slot.kind = track.kind();
        slot.codecs = codecs;
        slot.extensions = extensionsFor(track.kind());
        slot.offered = false;
        slot.recyclable = false;
        return slot.mid;
    }

    /** Removes a track: its section is offered with port 0 next time. */
    public void removeTrack(String mid) {
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (mid.equals(s.mid) && s.track != null) {
                if (!s.offered && !isPending(s)) {
                    slots.remove(i);
                } else {
                    s.lastTrack = s.track;
                    s.track = null;
                }
                return;
            }
        }
        throw new IllegalArgumentException("no track with mid " + mid);
    }

    private boolean isPending(Slot s) {
        return pending != null && pending.stream().anyMatch(o -> o.slot == s);
    }

    /** The mids of the sections that currently carry a track, in m-line order. */
    public List<String> activeMids() {
        return slots.stream().filter(s -> s.track != null).map(s -> s.mid).toList();
    }

    /** The last applied negotiation, if any. */
    public Optional<NegotiatedSession> negotiated() {
        return Optional.ofNullable(negotiated);
    }

    /** Builds the next offer. Replaces any offer still waiting for its answer. */
    public SessionDescription buildSubscribeOffer() {
        version++;
        List<Offered> offered = new ArrayList<>();
        List<String> bundle = new ArrayList<>();
        SessionDescription.Builder sb = SessionDescription.builder().standardHeader(Origin.of(sessionId, version));
        sb.attribute(Attributes.ICE_LITE);
        // Forwarded extensions such as the dependency descriptor may need the two-byte form.
        sb.attribute(Attributes.EXTMAP_ALLOW_MIXED);
        List<MediaDescription> sections = new ArrayList<>();
        for (Slot s : slots) {
            if (s.track != null) {
                sections.add(activeSection(s, s.track, true));
                bundle.add(s.mid);
            } else if (s.lastTrack != null) {
                // An inactive section stays in the BUNDLE group. Rejecting it (port 0) would
                // reject the BUNDLE tag when it is the first section, or leave no section at all,
                // and browsers then tear down the whole subscribe transport.
                sections.add(activeSection(s, s.lastTrack, false));
                bundle.add(s.mid);
            } else {
                sections.add(removedSection(s));
            }
            s.offered = true;
            offered.add(new Offered(s, s.mid, s.track, s.codecs, s.extensions));
        }
        if (!bundle.isEmpty()) {
            sb.line(new Group(Group.BUNDLE, bundle).line());
        }
        sections.forEach(sb::media);
        pending = offered;
        return sb.build();
    }

    /**
     * Applies the browser's answer to the outstanding offer and returns what was negotiated.
     * The answer must have the offer's sections in the same order with the same mids.
     */
    public NegotiatedSession applySubscribeAnswer(SessionDescription answer) throws SdpNegotiationException {
        if (pending == null) {
            throw new SdpNegotiationException("no subscribe offer is waiting for an answer");
        }
        if (answer.media().size() != pending.size()) {
            throw new SdpNegotiationException("answer has " + answer.media().size() + " media sections, offer had " + pending.size());
        }
        TransportDescription transport = null;
        for (int i = 0; i < pending.size(); i++) {
            MediaDescription m = answer.media().get(i);
            Offered o = pending.get(i);
            if (m.mid().isPresent() && !m.mid().get().equals(o.mid)) {
                throw new SdpNegotiationException("answer section " + i + " has mid " + m.mid().get() + ", offer had " + o.mid);
            }
            if (!m.kind().equals(o.slot.kind.sdpName())) {
                throw new SdpNegotiationException("answer section " + i + " changes the media type");
            }
            if (transport == null && o.track != null && !m.isRejected()) {
                transport = Jsep.remoteTransport(answer, m, false);
            }
        }
        List<NegotiatedMedia> media = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            media.add(negotiate(answer, answer.media().get(i), pending.get(i), transport));
        }
        for (Offered o : pending) {
            if (o.track == null && o.slot.track == null && o.slot.lastTrack == null && o.mid.equals(o.slot.mid)) {
                o.slot.recyclable = true;
            }
        }
        pending = null;
        negotiated = new NegotiatedSession(media, transport);
        return negotiated;
    }

    private NegotiatedMedia negotiate(SessionDescription answer, MediaDescription m, Offered o, TransportDescription transport) {
        MediaKind kind = o.slot.kind;
        if (o.track == null || m.isRejected()) {
            return new NegotiatedMedia(o.mid, kind, false, Direction.INACTIVE, List.of(), Map.of(),
                    List.of(), List.of(), List.of(), null, null, null);
        }
        Map<Integer, NegotiatedCodec> byPt = new HashMap<>();
        Map<Integer, NegotiatedCodec> byRtx = new HashMap<>();
        for (NegotiatedCodec c : o.codecs) {
            byPt.put(c.payloadType(), c);
            if (c.hasRtx()) {
                byRtx.put(c.rtxPayloadType(), c);
            }
        }
        List<Integer> answered = m.mediaLine().payloadTypes();
        Set<Integer> answeredSet = new HashSet<>(answered);
        List<NegotiatedCodec> codecs = new ArrayList<>();
        boolean anyRtx = false;
        for (int pt : answered) {
            NegotiatedCodec c = byPt.get(pt);
            if (c == null) {
                continue;
            }
            List<String> fb = new ArrayList<>();
            for (RtcpFeedback f : m.rtcpFeedback(pt)) {
                if (c.feedback().contains(f.kind()) && !fb.contains(f.kind())) {
                    fb.add(f.kind());
                }
            }
            int rtx = c.hasRtx() && answeredSet.contains(c.rtxPayloadType()) ? c.rtxPayloadType() : -1;
            anyRtx |= rtx >= 0;
            codecs.add(new NegotiatedCodec(pt, c.name(), c.clockRate(), c.channels(), c.parameters(), fb, rtx));
        }
        Map<String, Integer> ext = new LinkedHashMap<>();
        for (Extmap e : m.extmaps()) {
            if (o.extensions.containsKey(e.uri())) {
                ext.put(e.uri(), e.id());
            }
        }
        Direction remote = answer.direction(m);
        Direction dir = remote.receives() && !codecs.isEmpty() ? Direction.SENDONLY : Direction.INACTIVE;
        SubscribeTrack t = o.track;
        List<Long> ssrcs = anyRtx ? List.of(t.ssrc(), t.rtxSsrc()) : List.of(t.ssrc());
        List<SsrcGroup> groups = anyRtx ? List.of(new SsrcGroup(SsrcGroup.FID, ssrcs)) : List.of();
        return new NegotiatedMedia(o.mid, kind, !codecs.isEmpty(), dir, codecs, ext, ssrcs, groups, List.of(),
                new Msid(t.streamId(), t.trackId()), t.cname(), transport);
    }

    private MediaDescription activeSection(Slot s, SubscribeTrack t, boolean live) {
        MediaDescription.Builder b = MediaDescription.builder(
                MediaLine.of(s.kind.sdpName(), Jsep.defaultPort(local), Jsep.PROTO, formats(s.codecs)));
        Jsep.appendTransport(b, local, Setup.ACTPASS);
        b.attribute(Attributes.MID, s.mid);
        for (var e : s.extensions.entrySet()) {
            b.line(Extmap.of(e.getValue(), e.getKey()).line());
        }
        b.attribute((live ? Direction.SENDONLY : Direction.INACTIVE).token());
        Msid msid = new Msid(t.streamId(), t.trackId());
        if (live) {
            b.line(msid.line());
        }
        b.attribute(Attributes.RTCP_MUX);
        b.attribute(Attributes.RTCP_RSIZE);
        Map<Integer, Integer> ptMap = new HashMap<>();
        for (int i = 0; i < s.codecs.size(); i++) {
            ptMap.put(t.codecs().get(indexOfSource(t, s.codecs.get(i))).payloadType(), s.codecs.get(i).payloadType());
        }
        for (NegotiatedCodec c : s.codecs) {
            Jsep.appendCodec(b, c, c.isRed() ? redFmtp(c, ptMap) : Jsep.fmtpText(c.parameters()));
        }
        boolean rtx = live && t.rtx() && s.codecs.stream().anyMatch(NegotiatedCodec::hasRtx);
        if (rtx) {
            b.line(new SsrcGroup(SsrcGroup.FID, List.of(t.ssrc(), t.rtxSsrc())).line());
        }
        if (live) {
            b.line(new SsrcAttribute(t.ssrc(), "cname", t.cname()).line());
            b.line(new SsrcAttribute(t.ssrc(), "msid", msid.value()).line());
        }
        if (rtx) {
            b.line(new SsrcAttribute(t.rtxSsrc(), "cname", t.cname()).line());
            b.line(new SsrcAttribute(t.rtxSsrc(), "msid", msid.value()).line());
        }
        return b.build();
    }

    private static int indexOfSource(SubscribeTrack t, NegotiatedCodec assigned) {
        for (int i = 0; i < t.codecs().size(); i++) {
            if (t.codecs().get(i).sameFormat(assigned)) {
                return i;
            }
        }
        return 0;
    }

    /** RED's fmtp names the redundant encodings by payload type; renumber them for this session. */
    private static String redFmtp(NegotiatedCodec red, Map<Integer, Integer> ptMap) {
        String text = red.parameters().keySet().stream().findFirst().orElse("");
        StringBuilder sb = new StringBuilder();
        for (String part : text.split("/", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            Integer mapped = null;
            try {
                mapped = ptMap.get(Tokens.payloadType(part));
            } catch (SdpParseException ignored) {
                // Left as written; it names nothing we allocated.
            }
            sb.append(mapped == null ? part : mapped.toString());
        }
        return sb.toString();
    }

    private MediaDescription removedSection(Slot s) {
        return MediaDescription.builder(MediaLine.of(s.kind.sdpName(), 0, Jsep.PROTO, formats(s.codecs)))
                .connection("0.0.0.0")
                .attribute(Attributes.MID, s.mid)
                .attribute(Direction.INACTIVE.token())
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

    private Map<String, Integer> extensionsFor(MediaKind kind) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (var e : caps.extensions(kind).entrySet()) {
            if (SUBSCRIBER_EXTENSIONS.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The track's codecs that the server supports, renumbered for this session. */
    private List<NegotiatedCodec> assignPayloadTypes(SubscribeTrack track) {
        List<NegotiatedCodec> out = new ArrayList<>();
        for (NegotiatedCodec c : track.codecs()) {
            CodecCapability cap = c.isRed() ? null : capabilityFor(track.kind(), c);
            if (!c.isRed() && cap == null) {
                continue;
            }
            if (c.isRed() && (track.kind() != MediaKind.AUDIO || !caps.audioRed())) {
                continue;
            }
            String key = formatKey(c);
            int pt = payloadTypeByFormat.computeIfAbsent(key,
                    k -> allocate(c.payloadType(), cap == null ? -1 : cap.preferredPayloadType()));
            int rtx = -1;
            if (track.rtx() && cap != null && cap.rtx()) {
                rtx = rtxPayloadTypeByFormat.computeIfAbsent(key,
                        k -> allocate(c.rtxPayloadType(), cap.preferredPayloadType() + 1));
            }
            List<String> fb = cap == null ? List.of() : cap.feedback();
            out.add(new NegotiatedCodec(pt, c.name(), c.clockRate(), c.channels(), c.parameters(), fb, rtx));
        }
        return out;
    }

    private CodecCapability capabilityFor(MediaKind kind, NegotiatedCodec c) {
        Rtpmap r = new Rtpmap(c.payloadType(), c.name(), c.clockRate(), c.channels());
        for (CodecCapability cap : caps.codecs(kind)) {
            if (cap.accepts(r, c.parameters())) {
                return cap;
            }
        }
        return null;
    }

    private static String formatKey(NegotiatedCodec c) {
        StringBuilder sb = new StringBuilder()
                .append(c.name().toLowerCase(Locale.ROOT)).append('/').append(c.clockRate())
                .append('/').append(Math.max(c.channels(), 1));
        Map<String, String> p = c.parameters();
        switch (c.name().toUpperCase(Locale.ROOT)) {
            case "VP9" -> sb.append(";profile-id=").append(p.getOrDefault("profile-id", "0"));
            case "AV1" -> sb.append(";profile=").append(p.getOrDefault("profile", "0"));
            case "H264" -> {
                H264ProfileLevelId id = H264ProfileLevelId.fromParameters(p);
                sb.append(";pm=").append(p.getOrDefault("packetization-mode", "0"))
                        .append(";profile=").append(id == null ? "?" : id.profile());
            }
            case "RED" -> sb.append(";levels=").append(p.keySet().stream().findFirst().orElse("").split("/", -1).length);
            default -> {
            }
        }
        return sb.toString();
    }

    private int allocate(int first, int second) {
        for (int candidate : new int[] {first, second}) {
            if (candidate >= 35 && candidate <= 127 && !(candidate >= 64 && candidate <= 95) && usedPayloadTypes.add(candidate)) {
                return candidate;
            }
        }
        for (int pt = 96; pt <= 127; pt++) {
            if (usedPayloadTypes.add(pt)) {
                return pt;
            }
        }
        for (int pt = 35; pt <= 63; pt++) {
            if (usedPayloadTypes.add(pt)) {
                return pt;
            }
        }
        throw new IllegalStateException("no free payload type left in this session");
    }
}
