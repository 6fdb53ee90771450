package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Validation of the attributes the SFU reads, and typed look-ups over a list of lines. Every
 * line that reaches a {@link SessionDescription} or {@link MediaDescription} has passed
 * {@link #validate}, so the look-ups re-parse without failing.
 */
final class Attributes {
    private Attributes() {}

    static final String MID = "mid";
    static final String RTCP_MUX = "rtcp-mux";
    static final String RTCP_RSIZE = "rtcp-rsize";
    static final String ICE_UFRAG = "ice-ufrag";
    static final String ICE_PWD = "ice-pwd";
    static final String ICE_OPTIONS = "ice-options";
    static final String ICE_LITE = "ice-lite";
    static final String END_OF_CANDIDATES = "end-of-candidates";
    static final String SETUP = "setup";
    /** RFC 8285 §6: one- and two-byte header extension elements may be mixed in a stream. */
    public static final String EXTMAP_ALLOW_MIXED = "extmap-allow-mixed";

    private static final Set<String> FLAGS = Set.of(RTCP_MUX, RTCP_RSIZE, ICE_LITE, END_OF_CANDIDATES,
            "sendrecv", "sendonly", "recvonly", "inactive");
    private static final Set<String> MEDIA_ONLY = Set.of(MID, RTCP_MUX, RTCP_RSIZE, END_OF_CANDIDATES,
            Candidate.NAME, Msid.NAME, Rtpmap.NAME, Fmtp.NAME, RtcpFeedback.NAME, SsrcAttribute.NAME,
            SsrcGroup.NAME, Rid.NAME, Simulcast.NAME);
    private static final Set<String> SESSION_ONLY = Set.of(Group.NAME, ICE_LITE);
    private static final Set<String> SINGLE = Set.of(MID, ICE_UFRAG, ICE_PWD, ICE_OPTIONS, ICE_LITE, SETUP,
            Simulcast.NAME, RTCP_MUX, RTCP_RSIZE, END_OF_CANDIDATES);

    /** Checks one attribute line on its own: its level, flag-ness and value syntax. */
    static void validate(SdpLine line, boolean sessionLevel) throws SdpParseException {
        String name = line.attributeName();
        String value = line.attributeValue();
        if (name.isEmpty()) {
            throw SdpParseException.value("empty attribute name");
        }
        if (!Tokens.isToken(name)) {
            throw SdpParseException.value("invalid attribute name: '" + Tokens.clip(name) + "'");
        }
        if (FLAGS.contains(name)) {
            if (value != null) {
                throw SdpParseException.value("a=" + name + " takes no value");
            }
        }
        if (sessionLevel && MEDIA_ONLY.contains(name)) {
            throw SdpParseException.value("a=" + name + " is not allowed at session level");
        }
        if (!sessionLevel && SESSION_ONLY.contains(name)) {
            throw SdpParseException.value("a=" + name + " is only allowed at session level");
        }
        switch (name) {
            case MID -> mid(value);
            case ICE_UFRAG -> iceChars(value, name, 4);
            case ICE_PWD -> iceChars(value, name, 22);
            case ICE_OPTIONS -> {
                for (String o : Tokens.fields(Tokens.requireValue(value, name), "a=ice-options")) {
                    Tokens.token(o, "ice option");
                }
            }
            case SETUP -> Setup.parse(value);
            case Group.NAME -> Group.parse(value);
            case Candidate.NAME -> Candidate.parse(value);
            case Fingerprint.NAME -> Fingerprint.parse(value);
            case Msid.NAME -> Msid.parse(value);
            case Rtpmap.NAME -> Rtpmap.parse(value);
            case Fmtp.NAME -> Fmtp.parse(value);
            case RtcpFeedback.NAME -> RtcpFeedback.parse(value);
            case Extmap.NAME -> Extmap.parse(value);
            case SsrcAttribute.NAME -> SsrcAttribute.parse(value);
            case SsrcGroup.NAME -> SsrcGroup.parse(value);
            case Rid.NAME -> Rid.parse(value);
            case Simulcast.NAME -> Simulcast.parse(value);
            default -> {
                // Unknown attributes are kept verbatim.
            }
        }
    }

    /** Checks what needs the whole attribute list of one level: duplicates and conflicts. */
    static void validateLevel(List<SdpLine> lines, List<Integer> lineNumbers) throws SdpParseException {
        Set<String> seen = new HashSet<>();
        Set<Integer> rtpmapPts = new HashSet<>();
        Set<Integer> fmtpPts = new HashSet<>();
        Set<Integer> extIds = new HashSet<>();
        Set<String> rids = new HashSet<>();
        boolean direction = false;
        for (int i = 0; i < lines.size(); i++) {
            SdpLine line = lines.get(i);
            if (!line.isAttribute()) {
                continue;
            }
            int n = lineNumbers.get(i);
            String name = line.attributeName();
            if (SINGLE.contains(name) && !seen.add(name)) {
                throw new SdpParseException(n, "duplicate a=" + name);
            }
            if (Direction.fromToken(name) != null) {
                if (direction) {
                    throw new SdpParseException(n, "more than one direction attribute");
                }
                direction = true;
            }
            String value = line.attributeValue();
            try {
                switch (name) {
                    case Rtpmap.NAME -> {
                        if (!rtpmapPts.add(Rtpmap.parse(value).payloadType())) {
                            throw SdpParseException.value("duplicate a=rtpmap for one payload type");
                        }
                    }
                    case Fmtp.NAME -> {
                        if (!fmtpPts.add(Fmtp.parse(value).payloadType())) {
                            throw SdpParseException.value("duplicate a=fmtp for one payload type");
                        }
                    }
                    case Extmap.NAME -> {
                        if (!extIds.add(Extmap.parse(value).id())) {
                            throw SdpParseException.value("duplicate a=extmap id");
                        }
                    }
                    case Rid.NAME -> {
                        if (!rids.add(Rid.parse(value).id())) {
                            throw SdpParseException.value("duplicate a=rid id");
                        }
                    }
                    default -> {
                    }
                }
            } catch (SdpParseException e) {
                throw e.atLine(n);
            }
        }
    }

    private static void mid(String value) throws SdpParseException {
        Tokens.requireValue(value, MID);
        if (value.length() > 32) {
            throw SdpParseException.value("a=mid longer than 32 chars");
        }
        Tokens.token(value, "mid");
    }

    private static void iceChars(String value, String name, int min) throws SdpParseException {
        Tokens.requireValue(value, name);
        if (value.length() < min || value.length() > 256) {
            throw SdpParseException.value("a=" + name + " must be " + min + " to 256 chars");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!ok) {
                throw SdpParseException.value("a=" + name + " has a character outside ice-char");
            }
        }
    }

    // ---- look-ups over validated lines ----

    interface ValueParser<T> {
        T parse(String value) throws SdpParseException;
    }

    static <T> List<T> all(List<SdpLine> lines, String name, ValueParser<T> parser) {
        List<T> out = new ArrayList<>();
        for (SdpLine l : lines) {
            if (l.isAttribute(name)) {
                out.add(parseValidated(parser, l.attributeValue()));
            }
        }
        return List.copyOf(out);
    }

    static <T> Optional<T> first(List<SdpLine> lines, String name, ValueParser<T> parser) {
        for (SdpLine l : lines) {
            if (l.isAttribute(name)) {
                return Optional.of(parseValidated(parser, l.attributeValue()));
            }
        }
        return Optional.empty();
    }

    static Optional<String> value(List<SdpLine> lines, String name) {
        for (SdpLine l : lines) {
            if (l.isAttribute(name)) {
                return Optional.ofNullable(l.attributeValue());
            }
        }
        return Optional.empty();
    }

    static boolean has(List<SdpLine> lines, String name) {
        for (SdpLine l : lines) {
            if (l.isAttribute(name)) {
                return true;
            }
        }
        return false;
    }

    static Optional<Direction> direction(List<SdpLine> lines) {
        for (SdpLine l : lines) {
            if (l.isAttribute()) {
                Direction d = Direction.fromToken(l.value());
                if (d != null) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    static List<String> iceOptions(List<SdpLine> lines) {
        return value(lines, ICE_OPTIONS).map(v -> List.of(v.split(" "))).orElse(List.of());
    }

    private static <T> T parseValidated(ValueParser<T> parser, String value) {
        try {
            return parser.parse(value);
        } catch (SdpParseException e) {
            throw new IllegalStateException("attribute passed validation but does not parse: " + e.getMessage(), e);
        }
    }
}
