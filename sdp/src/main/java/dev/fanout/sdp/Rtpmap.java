package dev.fanout.sdp;

/**
 * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]}.
 *
 * @param channels the encoding parameters as a channel count, 0 when absent
 */
public record Rtpmap(int payloadType, String encodingName, int clockRate, int channels) {

    public static final String NAME = "rtpmap";

    static Rtpmap parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        int space = value.indexOf(' ');
        if (space < 0) {
            throw SdpParseException.value("a=rtpmap needs '<pt> <name>/<rate>'");
        }
        int pt = Tokens.payloadType(value.substring(0, space));
        var parts = Tokens.split(value.substring(space + 1), '/');
        if (parts.size() < 2 || parts.size() > 3) {
            throw SdpParseException.value("a=rtpmap encoding must be <name>/<rate>[/<params>]");
        }
        String name = Tokens.token(parts.get(0), "encoding name");
        int rate = Tokens.parseInt(parts.get(1), 1, Integer.MAX_VALUE, "clock rate");
        int channels = parts.size() == 3 ? Tokens.parseInt(parts.get(2), 1, 255, "channel count") : 0;
        return new Rtpmap(pt, name, rate, channels);
    }

    public String value() {
        return payloadType + " " + encodingName + '/' + clockRate + (channels > 0 ? "/" + channels : "");
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
