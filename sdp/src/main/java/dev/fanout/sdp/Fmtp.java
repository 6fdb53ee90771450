package dev.fanout.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code a=fmtp:<payload type> <format specific parameters>}. The parameter text is kept as
 * written; {@link #parameters()} reads the common {@code key=value;key=value} form (a part
 * without '=' such as RED's {@code 111/111} maps to the empty string).
 */
public record Fmtp(int payloadType, String parameterText) {

    public static final String NAME = "fmtp";

    static Fmtp parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        int space = value.indexOf(' ');
        if (space < 0 || space == value.length() - 1) {
            throw SdpParseException.value("a=fmtp needs '<pt> <parameters>'");
        }
        return new Fmtp(Tokens.payloadType(value.substring(0, space)), value.substring(space + 1));
    }

    public static Fmtp of(int payloadType, Map<String, String> parameters) {
        StringBuilder sb = new StringBuilder();
        for (var e : parameters.entrySet()) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(e.getKey());
            if (!e.getValue().isEmpty()) {
                sb.append('=').append(e.getValue());
            }
        }
        return new Fmtp(payloadType, sb.toString());
    }

    /** Parameters in written order; keys are lower-cased, values trimmed. */
    public Map<String, String> parameters() {
        return parseParameters(parameterText);
    }

    static Map<String, String> parseParameters(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String part : Tokens.split(text, ';')) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                out.put(p.toLowerCase(java.util.Locale.ROOT), "");
            } else {
                out.put(p.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT), p.substring(eq + 1).trim());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    public String value() {
        return payloadType + " " + parameterText;
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
