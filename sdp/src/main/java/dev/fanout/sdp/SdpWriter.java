package dev.fanout.sdp;

/** Writes a description line by line, each ending in CRLF (RFC 8866 §5). */
public final class SdpWriter {
    private SdpWriter() {}

    public static String write(SessionDescription sd) {
        StringBuilder sb = new StringBuilder(4096);
        for (SdpLine l : sd.sessionLines()) {
            append(sb, l.type(), l.value());
        }
        for (MediaDescription m : sd.media()) {
            append(sb, 'm', m.mediaLine().toString());
            for (SdpLine l : m.lines()) {
                append(sb, l.type(), l.value());
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, char type, String value) {
        sb.append(type).append('=').append(value).append("\r\n");
    }
}
