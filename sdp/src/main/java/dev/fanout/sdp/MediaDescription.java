package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One media section: its {@code m=} line and every line after it up to the next {@code m=},
 * in order and verbatim. Typed accessors read the attributes the SFU needs; everything else is
 * kept so that writing the section gives back the text that was parsed. Immutable.
 */
public final class MediaDescription {
    private final MediaLine mediaLine;
    private final List<SdpLine> lines;

    MediaDescription(MediaLine mediaLine, List<SdpLine> lines) {
        this.mediaLine = Objects.requireNonNull(mediaLine);
        this.lines = List.copyOf(lines);
    }

    public static Builder builder(MediaLine mediaLine) {
        return new Builder(mediaLine);
    }

    public Builder toBuilder() {
        Builder b = new Builder(mediaLine);
        b.lines.addAll(lines);
        return b;
    }

    public MediaLine mediaLine() {
        return mediaLine;
    }

    /** The lines after {@code m=} (i=, c=, b=, k=, a=) in order. */
    public List<SdpLine> lines() {
        return lines;
    }

    public String kind() {
        return mediaLine.kind();
    }

    public int port() {
        return mediaLine.port();
    }

    /** Port 0 marks a rejected or removed section (RFC 8829 §5.2.2, §5.3.1). */
    public boolean isRejected() {
        return mediaLine.port() == 0 && !Attributes.has(lines, "bundle-only");
    }

    public Optional<String> mid() {
        return Attributes.value(lines, Attributes.MID);
    }

    /** The direction attribute, or sendrecv when the section has none (RFC 8866 §6.7). */
    public Direction direction() {
        return Attributes.direction(lines).orElse(Direction.SENDRECV);
    }

    public boolean rtcpMux() {
        return Attributes.has(lines, Attributes.RTCP_MUX);
    }

    public boolean rtcpReducedSize() {
        return Attributes.has(lines, Attributes.RTCP_RSIZE);
    }

    public Optional<String> iceUfrag() {
        return Attributes.value(lines, Attributes.ICE_UFRAG);
    }

    public Optional<String> icePwd() {
        return Attributes.value(lines, Attributes.ICE_PWD);
    }

    public List<String> iceOptions() {
        return Attributes.iceOptions(lines);
    }

    public List<Candidate> candidates() {
        return Attributes.all(lines, Candidate.NAME, Candidate::parse);
    }

    public boolean endOfCandidates() {
        return Attributes.has(lines, Attributes.END_OF_CANDIDATES);
    }

    public List<Fingerprint> fingerprints() {
        return Attributes.all(lines, Fingerprint.NAME, Fingerprint::parse);
    }

    public Optional<Setup> setup() {
        return Attributes.first(lines, Attributes.SETUP, Setup::parse);
    }

    public List<Msid> msids() {
        return Attributes.all(lines, Msid.NAME, Msid::parse);
    }

    public List<Rtpmap> rtpmaps() {
        return Attributes.all(lines, Rtpmap.NAME, Rtpmap::parse);
    }

    public Optional<Rtpmap> rtpmap(int payloadType) {
        return rtpmaps().stream().filter(r -> r.payloadType() == payloadType).findFirst();
    }

    public List<Fmtp> fmtps() {
        return Attributes.all(lines, Fmtp.NAME, Fmtp::parse);
    }

    public Optional<Fmtp> fmtp(int payloadType) {
        return fmtps().stream().filter(f -> f.payloadType() == payloadType).findFirst();
    }

    public List<RtcpFeedback> rtcpFeedback() {
        return Attributes.all(lines, RtcpFeedback.NAME, RtcpFeedback::parse);
    }

    /** Feedback for one payload type, including the {@code *} wildcard lines. */
    public List<RtcpFeedback> rtcpFeedback(int payloadType) {
        return rtcpFeedback().stream()
                .filter(f -> f.payloadType() == payloadType || f.payloadType() == RtcpFeedback.ANY)
                .toList();
    }

    public List<Extmap> extmaps() {
        return Attributes.all(lines, Extmap.NAME, Extmap::parse);
    }

    public List<SsrcAttribute> ssrcAttributes() {
        return Attributes.all(lines, SsrcAttribute.NAME, SsrcAttribute::parse);
    }

    /** Distinct SSRCs named by {@code a=ssrc} lines, in first-seen order. */
    public List<Long> ssrcs() {
        return ssrcAttributes().stream().map(SsrcAttribute::ssrc).distinct().toList();
    }

    public List<SsrcGroup> ssrcGroups() {
        return Attributes.all(lines, SsrcGroup.NAME, SsrcGroup::parse);
    }

    public List<Rid> rids() {
        return Attributes.all(lines, Rid.NAME, Rid::parse);
    }

    public Optional<Simulcast> simulcast() {
        return Attributes.first(lines, Simulcast.NAME, Simulcast::parse);
    }

    /** Every value of an attribute by name, in order; null entries for flag occurrences. */
    public List<String> attributeValues(String name) {
        List<String> out = new ArrayList<>();
        for (SdpLine l : lines) {
            if (l.isAttribute(name)) {
                out.add(l.attributeValue());
            }
        }
        return out;
    }

    public boolean hasAttribute(String name) {
        return Attributes.has(lines, name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MediaDescription m && m.mediaLine.equals(mediaLine) && m.lines.equals(lines);
    }

    @Override
    public int hashCode() {
        return mediaLine.hashCode() * 31 + lines.hashCode();
    }

    @Override
    public String toString() {
        return "m=" + mediaLine + " (" + lines.size() + " lines)";
    }

    /**
     * Collects lines for a new section. {@link #build()} checks the result with the parser's
     * own rules, so a built section is as valid as a parsed one.
     */
    public static final class Builder {
        private MediaLine mediaLine;
        private final List<SdpLine> lines = new ArrayList<>();

        private Builder(MediaLine mediaLine) {
            this.mediaLine = Objects.requireNonNull(mediaLine);
        }

        public Builder mediaLine(MediaLine m) {
            this.mediaLine = Objects.requireNonNull(m);
            return this;
        }

        public Builder line(SdpLine line) {
            lines.add(Objects.requireNonNull(line));
            return this;
        }

        public Builder connection(String address) {
            String addrType = address.indexOf(':') >= 0 ? "IP6" : "IP4";
            return line(new SdpLine('c', "IN " + addrType + ' ' + address));
        }

        public Builder attribute(String name) {
            return line(SdpLine.attribute(name));
        }

        public Builder attribute(String name, String value) {
            return line(SdpLine.attribute(name, value));
        }

        /** Drops every line for which the predicate holds. */
        public Builder removeIf(java.util.function.Predicate<SdpLine> predicate) {
            lines.removeIf(predicate);
            return this;
        }

        public MediaDescription build() {
            MediaDescription m = new MediaDescription(mediaLine, lines);
            try {
                SdpParser.checkMedia(m);
            } catch (SdpParseException e) {
                throw new IllegalArgumentException("invalid media section: " + e.getMessage(), e);
            }
            return m;
        }
    }
}
