package dev.fanout.sdp;

/** {@code a=setup} (RFC 4145, RFC 8842): who opens the DTLS association. */
public enum Setup {
    ACTIVE("active"),
    PASSIVE("passive"),
    ACTPASS("actpass"),
    HOLDCONN("holdconn");

    private final String token;

    Setup(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    static Setup parse(String value) throws SdpParseException {
        for (Setup s : values()) {
            if (s.token.equals(value)) {
                return s;
            }
        }
        throw SdpParseException.value("invalid a=setup: '" + Tokens.clip(value) + "'");
    }
}
