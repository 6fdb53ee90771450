package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed SDP document (RFC 8866): the session-level lines in order and verbatim, then the
 * media sections. Immutable; build new ones with {@link #builder()} or {@link #toBuilder()}.
 * {@link SdpParser#parse(String)} and {@link SdpWriter#write(SessionDescription)} round-trip
 * byte for byte, apart from line endings, which are always written as CRLF.
 */
public final class SessionDescription {
    private final List<SdpLine> sessionLines;
    private final List<MediaDescription> media;

    SessionDescription(List<SdpLine> sessionLines, List<MediaDescription> media) {
        this.sessionLines = List.copyOf(sessionLines);
        this.media = List.copyOf(media);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.lines.addAll(sessionLines);
        b.media.addAll(media);
        return b;
    }

    /** Session-level lines from {@code v=} up to the first {@code m=}. */
    public List<SdpLine> sessionLines() {
        return sessionLines;
    }

    public List<MediaDescription> media() {
        return media;
    }

    public Origin origin() {
        for (SdpLine l : sessionLines) {
            if (l.type() == 'o') {
                try {
                    return Origin.parse(l.value());
                } catch (SdpParseException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("no o= line");
    }

    public List<Group> groups() {
        return Attributes.all(sessionLines, Group.NAME, Group::parse);
    }

    /** The first {@code a=group:BUNDLE}, if any. */
    public Optional<Group> bundleGroup() {
        return groups().stream().filter(g -> g.semantics().equals(Group.BUNDLE)).findFirst();
    }

    public boolean iceLite() {
        return Attributes.has(sessionLines, Attributes.ICE_LITE);
    }

    public Optional<String> iceUfrag() {
        return Attributes.value(sessionLines, Attributes.ICE_UFRAG);
    }

    public Optional<String> icePwd() {
        return Attributes.value(sessionLines, Attributes.ICE_PWD);
    }

    public List<String> iceOptions() {
        return Attributes.iceOptions(sessionLines);
    }

    public List<Fingerprint> fingerprints() {
        return Attributes.all(sessionLines, Fingerprint.NAME, Fingerprint::parse);
    }

    public Optional<Setup> setup() {
        return Attributes.first(sessionLines, Attributes.SETUP, Setup::parse);
    }

    /** Session-level direction attribute, if any; media sections without one inherit it. */
    public Optional<Direction> direction() {
        return Attributes.direction(sessionLines);
    }

    public List<Extmap> extmaps() {
        return Attributes.all(sessionLines, Extmap.NAME, Extmap::parse);
    }

    public boolean hasAttribute(String name) {
        return Attributes.has(sessionLines, name);
    }

    public Optional<MediaDescription> mediaByMid(String mid) {
        return media.stream().filter(m -> m.mid().filter(mid::equals).isPresent()).findFirst();
    }

    // ---- values resolved per section, falling back to session level as RFC 8866 allows ----

    public Optional<String> iceUfrag(MediaDescription m) {
        return m.iceUfrag().or(this::iceUfrag);
    }

    public Optional<String> icePwd(MediaDescription m) {
        return m.icePwd().or(this::icePwd);
    }

    public List<Fingerprint> fingerprints(MediaDescription m) {
        List<Fingerprint> f = m.fingerprints();
        return f.isEmpty() ? fingerprints() : f;
    }

    public Optional<Setup> setup(MediaDescription m) {
        return m.setup().or(this::setup);
    }

    public Direction direction(MediaDescription m) {
        return Attributes.direction(m.lines()).or(this::direction).orElse(Direction.SENDRECV);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionDescription s && s.sessionLines.equals(sessionLines) && s.media.equals(media);
    }

    @Override
    public int hashCode() {
        return sessionLines.hashCode() * 31 + media.hashCode();
    }

    @Override
    public String toString() {
        return SdpWriter.write(this);
    }

    /** Collects lines and sections; {@link #build()} applies the parser's rules. */
    public static final class Builder {
        private final List<SdpLine> lines = new ArrayList<>();
        private final List<MediaDescription> media = new ArrayList<>();

        private Builder() {}

        public Builder line(SdpLine line) {
            lines.add(Objects.requireNonNull(line));
            return this;
        }

        /** Adds {@code v=0}, {@code o=}, {@code s=-} and {@code t=0 0}, the lines every offer and answer starts with. */
        public Builder standardHeader(Origin origin) {
            line(new SdpLine('v', "0"));
            line(new SdpLine('o', origin.toString()));
            line(new SdpLine('s', "-"));
            line(new SdpLine('t', "0 0"));
            return this;
        }

        public Builder attribute(String name) {
            return line(SdpLine.attribute(name));
        }

        public Builder attribute(String name, String value) {
            return line(SdpLine.attribute(name, value));
        }

        public Builder media(MediaDescription m) {
            media.add(Objects.requireNonNull(m));
            return this;
        }

        public SessionDescription build() {
            SessionDescription s = new SessionDescription(lines, media);
            try {
                SdpParser.parse(SdpWriter.write(s), SdpParser.UNBOUNDED);
            } catch (SdpParseException e) {
                throw new IllegalArgumentException("invalid session description: " + e.getMessage(), e);
            }
            return s;
        }
    }
}
