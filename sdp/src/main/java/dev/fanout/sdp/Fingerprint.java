package dev.fanout.sdp;

import java.util.List;
import java.util.Locale;

/**
 * {@code a=fingerprint:<hash function> <hex pairs separated by colons>} (RFC 8122), e.g.
 * {@code sha-256 D3:1E:...}.
 */
public record Fingerprint(String hashFunction, String value) {

    public static final String NAME = "fingerprint";

    static Fingerprint parse(String text) throws SdpParseException {
        Tokens.requireValue(text, NAME);
        List<String> f = Tokens.fields(text, "a=fingerprint");
        if (f.size() != 2) {
            throw SdpParseException.value("a=fingerprint needs '<hash> <value>'");
        }
        String hash = Tokens.token(f.get(0), "fingerprint hash function");
        String hex = f.get(1);
        List<String> pairs = Tokens.split(hex, ':');
        if (pairs.size() > 64) {
            throw SdpParseException.value("a=fingerprint value too long");
        }
        for (String p : pairs) {
            if (p.length() != 2 || Character.digit(p.charAt(0), 16) < 0 || Character.digit(p.charAt(1), 16) < 0) {
                throw SdpParseException.value("a=fingerprint value must be hex pairs separated by ':'");
            }
        }
        return new Fingerprint(hash, hex);
    }

    /** Compares hash names and digests case-insensitively, as RFC 8122 asks. */
    public boolean matches(Fingerprint other) {
        return other != null
                && hashFunction.equalsIgnoreCase(other.hashFunction)
                && value.toUpperCase(Locale.ROOT).equals(other.value.toUpperCase(Locale.ROOT));
    }

    public String attributeValue() {
        return hashFunction + ' ' + value;
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, attributeValue());
    }
}
