package dev.fanout.sdp;

/**
 * {@code a=rid:<id> <send|recv>[ <restrictions>]} (RFC 8851).
 *
 * @param send         true for {@code send}, false for {@code recv}
 * @param restrictions the text after the direction ({@code pt=96;max-width=640}), or null
 */
public record Rid(String id, boolean send, String restrictions) {

    public static final String NAME = "rid";

    static Rid parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        int space = value.indexOf(' ');
        if (space < 0) {
            throw SdpParseException.value("a=rid needs '<id> <send|recv>'");
        }
        String id = checkId(value.substring(0, space));
        String rest = value.substring(space + 1);
        int space2 = rest.indexOf(' ');
        String dir = space2 < 0 ? rest : rest.substring(0, space2);
        boolean send;
        if (dir.equals("send")) {
            send = true;
        } else if (dir.equals("recv")) {
            send = false;
        } else {
            throw SdpParseException.value("a=rid direction must be send or recv");
        }
        String restrictions = space2 < 0 ? null : rest.substring(space2 + 1);
        if (restrictions != null) {
            Tokens.visible(restrictions, "rid restrictions");
        }
        return new Rid(id, send, restrictions);
    }

    /** RFC 8851 rid-id: letters, digits, '-' and '_'; we also cap the length at 32. */
    static String checkId(String id) throws SdpParseException {
        if (id.isEmpty() || id.length() > 32) {
            throw SdpParseException.value("invalid rid id length");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                throw SdpParseException.value("invalid rid id: '" + Tokens.clip(id) + "'");
            }
        }
        return id;
    }

    public String value() {
        return id + (send ? " send" : " recv") + (restrictions == null ? "" : " " + restrictions);
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
