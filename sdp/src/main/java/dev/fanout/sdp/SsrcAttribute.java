package dev.fanout.sdp;

/**
 * {@code a=ssrc:<ssrc> <attribute>[:<value>]} (RFC 5576), e.g. {@code a=ssrc:1438405761 cname:ckMK}.
 *
 * @param value null for a flag source attribute
 */
public record SsrcAttribute(long ssrc, String attribute, String value) {

    public static final String NAME = "ssrc";

    static SsrcAttribute parse(String text) throws SdpParseException {
        Tokens.requireValue(text, NAME);
        int space = text.indexOf(' ');
        if (space < 0) {
            throw SdpParseException.value("a=ssrc needs '<ssrc> <attribute>'");
        }
        long ssrc = Tokens.parseLong(text.substring(0, space), 0, 0xFFFFFFFFL, "ssrc");
        String rest = text.substring(space + 1);
        int colon = rest.indexOf(':');
        String name = colon < 0 ? rest : rest.substring(0, colon);
        Tokens.token(name, "ssrc attribute name");
        return new SsrcAttribute(ssrc, name, colon < 0 ? null : rest.substring(colon + 1));
    }

    public String attributeValue() {
        return ssrc + " " + attribute + (value == null ? "" : ":" + value);
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, attributeValue());
    }
}
