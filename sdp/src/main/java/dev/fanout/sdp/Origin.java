package dev.fanout.sdp;

import java.util.List;

/**
 * The {@code o=} line. Session id and version are digit strings: RFC 8866 only asks for
 * numbers, and browsers use up to 64-bit values.
 */
public record Origin(String username, String sessionId, String sessionVersion,
                     String netType, String addrType, String address) {

    public static Origin of(long sessionId, long sessionVersion) {
        return new Origin("-", Long.toUnsignedString(sessionId), Long.toUnsignedString(sessionVersion),
                "IN", "IP4", "0.0.0.0");
    }

    static Origin parse(String value) throws SdpParseException {
        List<String> f = Tokens.fields(value, "o= line");
        if (f.size() != 6) {
            throw SdpParseException.value("o= line needs 6 fields, has " + f.size());
        }
        digits(f.get(1), "session id");
        digits(f.get(2), "session version");
        for (int i = 3; i < 6; i++) {
            Tokens.visible(f.get(i), "o= field");
        }
        return new Origin(Tokens.visible(f.get(0), "username"), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5));
    }

    private static void digits(String s, String what) throws SdpParseException {
        if (s.isEmpty() || s.length() > 20) {
            throw SdpParseException.value("invalid " + what);
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw SdpParseException.value("invalid " + what + ": '" + Tokens.clip(s) + "'");
            }
        }
    }

    @Override
    public String toString() {
        return username + ' ' + sessionId + ' ' + sessionVersion + ' ' + netType + ' ' + addrType + ' ' + address;
    }
}
