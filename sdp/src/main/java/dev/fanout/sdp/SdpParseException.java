package dev.fanout.sdp;

/**
 * Malformed or oversized SDP. Carries the 1-based number of the offending line (0 when the
 * problem concerns the whole document, such as its size) and a short reason meant for logs and
 * for the signaling error message.
 */
public final class SdpParseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int lineNumber;
    private final String reason;

    public SdpParseException(int lineNumber, String reason) {
        super(lineNumber > 0 ? "line " + lineNumber + ": " + reason : reason);
        this.lineNumber = lineNumber;
        this.reason = reason;
    }

    /** A value-level error that does not yet know its line; the parser adds it. */
    static SdpParseException value(String reason) {
        return new SdpParseException(0, reason);
    }

    SdpParseException atLine(int line) {
        return lineNumber == line ? this : new SdpParseException(line, reason);
    }

    /** 1-based line number, or 0 when the error is not about one line. */
    public int lineNumber() {
        return lineNumber;
    }

    public String reason() {
        return reason;
    }
}
