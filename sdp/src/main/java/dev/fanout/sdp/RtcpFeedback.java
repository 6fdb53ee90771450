package dev.fanout.sdp;

import java.util.List;

/**
 * {@code a=rtcp-fb:<pt or *> <type>[ <parameter>]} (RFC 4585, RFC 5104): {@code nack},
 * {@code nack pli}, {@code ccm fir}, {@code goog-remb}, {@code transport-cc}.
 *
 * @param payloadType the payload type, or {@link #ANY} for {@code *}
 * @param parameter   the subtype ({@code pli}, {@code fir}), or null
 */
public record RtcpFeedback(int payloadType, String type, String parameter) {

    public static final String NAME = "rtcp-fb";
    public static final int ANY = -1;

    static RtcpFeedback parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        List<String> f = Tokens.fields(value, "a=rtcp-fb");
        if (f.size() < 2) {
            throw SdpParseException.value("a=rtcp-fb needs '<pt> <type>'");
        }
        int pt = f.get(0).equals("*") ? ANY : Tokens.payloadType(f.get(0));
        String type = Tokens.token(f.get(1), "rtcp-fb type");
        String param = null;
        if (f.size() > 2) {
            for (String p : f.subList(2, f.size())) {
                Tokens.visible(p, "rtcp-fb parameter");
            }
            param = String.join(" ", f.subList(2, f.size()));
        }
        return new RtcpFeedback(pt, type, param);
    }

    /** The feedback without its payload type, as written after it: {@code nack pli}. */
    public String kind() {
        return parameter == null ? type : type + ' ' + parameter;
    }

    public RtcpFeedback withPayloadType(int pt) {
        return new RtcpFeedback(pt, type, parameter);
    }

    public String value() {
        return (payloadType == ANY ? "*" : Integer.toString(payloadType)) + ' ' + kind();
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
