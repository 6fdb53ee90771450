package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code a=ssrc-group:<semantics> <ssrc> ...} (RFC 5576): {@code FID} pairs a media SSRC with
 * its RTX SSRC, {@code SIM} lists simulcast layers low to high.
 */
public record SsrcGroup(String semantics, List<Long> ssrcs) {

    public static final String NAME = "ssrc-group";
    public static final String FID = "FID";
    public static final String SIM = "SIM";

    public SsrcGroup {
        ssrcs = List.copyOf(ssrcs);
    }

    static SsrcGroup parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        List<String> f = Tokens.fields(value, "a=ssrc-group");
        if (f.size() < 2) {
            throw SdpParseException.value("a=ssrc-group needs semantics and at least one ssrc");
        }
        String semantics = Tokens.token(f.get(0), "ssrc-group semantics");
        List<Long> ssrcs = new ArrayList<>();
        for (String s : f.subList(1, f.size())) {
            ssrcs.add(Tokens.parseLong(s, 0, 0xFFFFFFFFL, "ssrc"));
        }
        return new SsrcGroup(semantics, ssrcs);
    }

    public String value() {
        StringBuilder sb = new StringBuilder(semantics);
        for (long s : ssrcs) {
            sb.append(' ').append(s);
        }
        return sb.toString();
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
