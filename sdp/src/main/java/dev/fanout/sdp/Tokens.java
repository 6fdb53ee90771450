package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;

/** Bounded number parsing and RFC 8866 token checks shared by the attribute parsers. */
final class Tokens {
    private Tokens() {}

    /** Parses a decimal integer in [min, max] without ever throwing an unchecked exception. */
    static long parseLong(String text, long min, long max, String what) throws SdpParseException {
        if (text == null || text.isEmpty() || text.length() > 20) {
            throw SdpParseException.value("invalid " + what + ": '" + clip(text) + "'");
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw SdpParseException.value("invalid " + what + ": '" + clip(text) + "'");
            }
            if (v > (Long.MAX_VALUE - (c - '0')) / 10) {
                throw SdpParseException.value(what + " out of range: '" + clip(text) + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v < min || v > max) {
            throw SdpParseException.value(what + " out of range: " + v);
        }
        return v;
    }

    static int parseInt(String text, int min, int max, String what) throws SdpParseException {
        return (int) parseLong(text, min, max, what);
    }

    static int payloadType(String text) throws SdpParseException {
        return parseInt(text, 0, 127, "payload type");
    }

    static boolean isTokenChar(char c) {
        // RFC 8866 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E
        return c == 0x21
                || (c >= 0x23 && c <= 0x27)
                || c == 0x2A || c == 0x2B
                || c == 0x2D || c == 0x2E
                || (c >= 0x30 && c <= 0x39)
                || (c >= 0x41 && c <= 0x5A)
                || (c >= 0x5E && c <= 0x7E);
    }

    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String token(String s, String what) throws SdpParseException {
        if (!isToken(s)) {
            throw SdpParseException.value("invalid " + what + ": '" + clip(s) + "'");
        }
        return s;
    }

    /** Visible ASCII without spaces (RFC 8866 non-ws-string restricted to ASCII). */
    static boolean isVisible(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    static String visible(String s, String what) throws SdpParseException {
        if (!isVisible(s)) {
            throw SdpParseException.value("invalid " + what + ": '" + clip(s) + "'");
        }
        return s;
    }

    /** Splits on single spaces; an empty field (double space, leading or trailing space) is an error. */
    static List<String> fields(String s, String what) throws SdpParseException {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == ' ') {
                if (i == start) {
                    throw SdpParseException.value("empty field in " + what);
                }
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** Splits on a separator keeping empty parts, so callers can reject them. */
    static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == sep) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    static String requireValue(String value, String attribute) throws SdpParseException {
        if (value == null || value.isEmpty()) {
            throw SdpParseException.value("a=" + attribute + " needs a value");
        }
        return value;
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
