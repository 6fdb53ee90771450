package dev.fanout.sdp;


/**
 * {@code a=extmap:<id>[/<direction>] <uri>[ <attributes>]} (RFC 8285).
 *
 * @param direction  null when the line has none
 * @param attributes extension attributes after the URI, or null
 */
public record Extmap(int id, Direction direction, String uri, String attributes) {

    public static final String NAME = "extmap";

    public static Extmap of(int id, String uri) {
        return new Extmap(id, null, uri, null);
    }

    static Extmap parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        int space = value.indexOf(' ');
        if (space < 0) {
            throw SdpParseException.value("a=extmap needs '<id> <uri>'");
        }
        String idPart = value.substring(0, space);
        Direction dir = null;
        int slash = idPart.indexOf('/');
        if (slash >= 0) {
            dir = Direction.fromToken(idPart.substring(slash + 1));
            if (dir == null) {
                throw SdpParseException.value("invalid a=extmap direction: '" + Tokens.clip(idPart) + "'");
            }
            idPart = idPart.substring(0, slash);
        }
        int id = Tokens.parseInt(idPart, 1, 255, "extmap id");
        String rest = value.substring(space + 1);
        int space2 = rest.indexOf(' ');
        String uri = space2 < 0 ? rest : rest.substring(0, space2);
        String attrs = space2 < 0 ? null : rest.substring(space2 + 1);
        Tokens.visible(uri, "extmap URI");
        if (attrs != null && attrs.isEmpty()) {
            throw SdpParseException.value("empty a=extmap attributes");
        }
        return new Extmap(id, dir, uri, attrs);
    }

    public String value() {
        return id + (direction == null ? "" : "/" + direction.token()) + ' ' + uri
                + (attributes == null ? "" : " " + attributes);
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }

}
