package dev.fanout.sdp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict, bounded SDP parser (RFC 8866). Lines end in CRLF or LF; a missing terminator on the
 * last line is tolerated. Line order follows RFC 8866 §5 (v, o, s, i, u, e, p, c, b, t/r, z,
 * k, a at session level; m, i, c, b, k, a per media section); an unknown type letter rejects
 * the whole description, as §5 requires. The attributes the SFU reads are checked for syntax,
 * level and duplicates; all others are kept verbatim. Every failure is an
 * {@link SdpParseException} with the line number.
 */
public final class SdpParser {

    /** For descriptions this process builds itself. */
    static final SdpLimits UNBOUNDED = new SdpLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    private static final String SESSION_ORDER = "vosiuepcbtrzka";
    private static final String SESSION_REPEATABLE = "epbtra";
    private static final String MEDIA_ORDER = "micbka";
    private static final String MEDIA_REPEATABLE = "cba";

    private SdpParser() {}

    public static SessionDescription parse(String text) throws SdpParseException {
        return parse(text, SdpLimits.DEFAULT);
    }

    /** Decodes strict UTF-8 first; invalid byte sequences are a parse error. */
    public static SessionDescription parse(byte[] utf8, SdpLimits limits) throws SdpParseException {
        if (utf8 == null) {
            throw new SdpParseException(0, "no description");
        }
        if (utf8.length > limits.maxChars()) {
            throw new SdpParseException(0, "description larger than " + limits.maxChars() + " bytes");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
            return parse(text, limits);
        } catch (CharacterCodingException e) {
            throw new SdpParseException(0, "description is not valid UTF-8");
        }
    }

    public static SessionDescription parse(String text, SdpLimits limits) throws SdpParseException {
        if (text == null || text.isEmpty()) {
            throw new SdpParseException(0, "empty description");
        }
        if (text.length() > limits.maxChars()) {
            throw new SdpParseException(0, "description larger than " + limits.maxChars() + " chars");
        }
        List<SdpLine> lines = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        split(text, limits, lines, numbers);
        return assemble(lines, numbers, limits);
    }

    private static void split(String text, SdpLimits limits, List<SdpLine> out, List<Integer> numbers)
            throws SdpParseException {
        int start = 0;
        int lineNo = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            int next = nl < 0 ? text.length() : nl + 1;
            if (end > start && text.charAt(end - 1) == '\r') {
                end--;
            }
            lineNo++;
            if (lineNo > limits.maxLines()) {
                throw new SdpParseException(lineNo, "more than " + limits.maxLines() + " lines");
            }
            if (end - start > limits.maxLineLength()) {
                throw new SdpParseException(lineNo, "line longer than " + limits.maxLineLength() + " chars");
            }
            out.add(line(text, start, end, lineNo));
            numbers.add(lineNo);
            start = next;
        }
    }

    private static SdpLine line(String text, int start, int end, int lineNo) throws SdpParseException {
        if (end == start) {
            throw new SdpParseException(lineNo, "empty line");
        }
        if (end - start < 3 || text.charAt(start + 1) != '=') {
            throw new SdpParseException(lineNo, "line is not '<type>=<value>'");
        }
        char type = text.charAt(start);
        if (type < 'a' || type > 'z') {
            throw new SdpParseException(lineNo, "invalid line type '" + printable(type) + "'");
        }
        for (int i = start + 2; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\0' || c == '\r') {
                throw new SdpParseException(lineNo, c == '\0' ? "NUL in line" : "bare CR in line");
            }
        }
        return new SdpLine(type, text.substring(start + 2, end));
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    private static SessionDescription assemble(List<SdpLine> lines, List<Integer> numbers, SdpLimits limits)
            throws SdpParseException {
        int i = 0;
        List<SdpLine> session = new ArrayList<>();
        List<Integer> sessionNumbers = new ArrayList<>();
        int prevRank = -1;
        char prevType = 0;
        boolean sawTime = false;
        while (i < lines.size() && lines.get(i).type() != 'm') {
            SdpLine l = lines.get(i);
            int n = numbers.get(i);
            int rank = SESSION_ORDER.indexOf(l.type());
            if (rank < 0) {
                throw new SdpParseException(n, "line type '" + l.type() + "' is not allowed at session level");
            }
            if (i == 0 && l.type() != 'v') {
                throw new SdpParseException(n, "description must start with v=");
            }
            if (i == 1 && l.type() != 'o') {
                throw new SdpParseException(n, "o= must follow v=");
            }
            if (i == 2 && l.type() != 's') {
                throw new SdpParseException(n, "s= must follow o=");
            }
            boolean inOrder = rank > prevRank
                    || (rank == prevRank && SESSION_REPEATABLE.indexOf(l.type()) >= 0)
                    || (l.type() == 't' && prevType == 'r');
            if (!inOrder) {
                throw new SdpParseException(n, l.type() + "= line out of order");
            }
            sawTime |= l.type() == 't';
            checkSessionLine(l, n);
            session.add(l);
            sessionNumbers.add(n);
            prevRank = Math.max(prevRank, rank);
            prevType = l.type();
            i++;
        }
        if (session.size() < 3) {
            int n = numbers.get(Math.min(i, numbers.size() - 1));
            throw new SdpParseException(n, "description must start with v=, o= and s=");
        }
        if (!sawTime) {
            int n = i < numbers.size() ? numbers.get(i) : numbers.get(numbers.size() - 1);
            throw new SdpParseException(n, "missing t= line");
        }
        Attributes.validateLevel(session, sessionNumbers);

        List<MediaDescription> media = new ArrayList<>();
        Map<String, Integer> mids = new HashMap<>();
        while (i < lines.size()) {
            int mLine = numbers.get(i);
            if (media.size() >= limits.maxMediaSections()) {
                throw new SdpParseException(mLine, "more than " + limits.maxMediaSections() + " media sections");
            }
            MediaLine ml;
            try {
                ml = MediaLine.parse(lines.get(i).value());
            } catch (SdpParseException e) {
                throw e.atLine(mLine);
            }
            i++;
            List<SdpLine> body = new ArrayList<>();
            List<Integer> bodyNumbers = new ArrayList<>();
            while (i < lines.size() && lines.get(i).type() != 'm') {
                body.add(lines.get(i));
                bodyNumbers.add(numbers.get(i));
                i++;
            }
            checkMediaBody(body, bodyNumbers);
            MediaDescription m = new MediaDescription(ml, body);
            String mid = m.mid().orElse(null);
            if (mid != null && mids.putIfAbsent(mid, mLine) != null) {
                throw new SdpParseException(midLine(body, bodyNumbers), "duplicate mid '" + mid + "'");
            }
            media.add(m);
        }
        SessionDescription sd = new SessionDescription(session, media);
        for (int k = 0; k < session.size(); k++) {
            SdpLine l = session.get(k);
            if (l.isAttribute(Group.NAME)) {
                Group g = Attributes.first(List.of(l), Group.NAME, Group::parse).orElseThrow();
                if (g.semantics().equals(Group.BUNDLE)) {
                    for (String mid : g.mids()) {
                        if (!mids.containsKey(mid)) {
                            throw new SdpParseException(sessionNumbers.get(k), "BUNDLE names unknown mid '" + mid + "'");
                        }
                    }
                }
            }
        }
        return sd;
    }

    private static int midLine(List<SdpLine> body, List<Integer> numbers) {
        for (int k = 0; k < body.size(); k++) {
            if (body.get(k).isAttribute(Attributes.MID)) {
                return numbers.get(k);
            }
        }
        return 0;
    }

    /** Re-checks a section built in code with the same rules a parsed one passes. */
    static void checkMedia(MediaDescription m) throws SdpParseException {
        MediaLine.parse(m.mediaLine().toString());
        List<Integer> numbers = new ArrayList<>();
        for (int k = 0; k < m.lines().size(); k++) {
            numbers.add(k + 2);
        }
        checkMediaBody(m.lines(), numbers);
    }

    private static void checkMediaBody(List<SdpLine> body, List<Integer> numbers) throws SdpParseException {
        int prevRank = 0;
        for (int k = 0; k < body.size(); k++) {
            SdpLine l = body.get(k);
            int n = numbers.get(k);
            int rank = MEDIA_ORDER.indexOf(l.type());
            if (rank <= 0) {
                throw new SdpParseException(n, "line type '" + l.type() + "' is not allowed in a media section");
            }
            if (rank < prevRank || (rank == prevRank && MEDIA_REPEATABLE.indexOf(l.type()) < 0)) {
                throw new SdpParseException(n, l.type() + "= line out of order");
            }
            prevRank = rank;
            checkCommonLine(l, n, false);
        }
        Attributes.validateLevel(body, numbers);
    }

    private static void checkSessionLine(SdpLine l, int n) throws SdpParseException {
        try {
            switch (l.type()) {
                case 'v' -> {
                    if (!l.value().equals("0")) {
                        throw SdpParseException.value("unsupported version v=" + Tokens.clip(l.value()));
                    }
                }
                case 'o' -> Origin.parse(l.value());
                case 't' -> {
                    List<String> f = Tokens.fields(l.value(), "t= line");
                    if (f.size() != 2) {
                        throw SdpParseException.value("t= needs start and stop time");
                    }
                    Tokens.parseLong(f.get(0), 0, Long.MAX_VALUE, "start time");
                    Tokens.parseLong(f.get(1), 0, Long.MAX_VALUE, "stop time");
                }
                default -> checkCommonLine(l, n, true);
            }
        } catch (SdpParseException e) {
            throw e.atLine(n);
        }
    }

    private static void checkCommonLine(SdpLine l, int n, boolean sessionLevel) throws SdpParseException {
        try {
            switch (l.type()) {
                case 'c' -> {
                    List<String> f = Tokens.fields(l.value(), "c= line");
                    if (f.size() != 3) {
                        throw SdpParseException.value("c= needs '<nettype> <addrtype> <address>'");
                    }
                    for (String s : f) {
                        Tokens.visible(s, "c= field");
                    }
                }
                case 'b' -> {
                    int colon = l.value().indexOf(':');
                    if (colon <= 0) {
                        throw SdpParseException.value("b= needs '<type>:<bandwidth>'");
                    }
                    Tokens.token(l.value().substring(0, colon), "bandwidth type");
                    Tokens.parseLong(l.value().substring(colon + 1), 0, Long.MAX_VALUE, "bandwidth");
                }
                case 'a' -> Attributes.validate(l, sessionLevel);
                default -> {
                    // i=, u=, e=, p=, z=, k=, r=, s= are free text for our purposes.
                }
            }
        } catch (SdpParseException e) {
            throw e.atLine(n);
        }
    }
}
