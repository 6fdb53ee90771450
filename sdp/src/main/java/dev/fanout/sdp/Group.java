package dev.fanout.sdp;

import java.util.List;

/** {@code a=group:<semantics> <mid> ...} (RFC 5888); {@code BUNDLE} is RFC 9143. */
public record Group(String semantics, List<String> mids) {

    public static final String NAME = "group";
    public static final String BUNDLE = "BUNDLE";

    public Group {
        mids = List.copyOf(mids);
    }

    static Group parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        List<String> f = Tokens.fields(value, "a=group");
        String semantics = Tokens.token(f.get(0), "group semantics");
        for (String mid : f.subList(1, f.size())) {
            Tokens.token(mid, "group mid");
        }
        return new Group(semantics, f.subList(1, f.size()));
    }

    public String value() {
        return mids.isEmpty() ? semantics : semantics + ' ' + String.join(" ", mids);
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
