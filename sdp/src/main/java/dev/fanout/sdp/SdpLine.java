package dev.fanout.sdp;

import java.util.Objects;

/**
 * One line of a description exactly as it was read or will be written, without its terminator:
 * {@code type} is the letter before {@code '='}, {@code value} everything after it. Attribute
 * lines ({@code a=}) split further into a name and an optional value at the first colon.
 */
public record SdpLine(char type, String value) {

    public SdpLine {
        Objects.requireNonNull(value, "value");
    }

    public static SdpLine attribute(String name) {
        return new SdpLine('a', name);
    }

    public static SdpLine attribute(String name, String value) {
        return new SdpLine('a', value == null ? name : name + ':' + value);
    }

    public boolean isAttribute() {
        return type == 'a';
    }

    /** The attribute name ({@code rtpmap} for {@code a=rtpmap:96 VP8/90000}); null for other lines. */
    public String attributeName() {
        if (type != 'a') {
            return null;
        }
        int colon = value.indexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }

    /** The text after the first colon, or null for a flag attribute or a non-attribute line. */
    public String attributeValue() {
        if (type != 'a') {
            return null;
        }
        int colon = value.indexOf(':');
        return colon < 0 ? null : value.substring(colon + 1);
    }

    public boolean isAttribute(String name) {
        if (type != 'a' || !value.startsWith(name)) {
            return false;
        }
        return value.length() == name.length() || value.charAt(name.length()) == ':';
    }

    @Override
    public String toString() {
        return type + "=" + value;
    }
}
