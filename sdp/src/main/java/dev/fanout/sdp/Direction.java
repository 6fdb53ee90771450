package dev.fanout.sdp;

/** Media direction attributes of RFC 8866 §6.7, seen from the side that wrote them. */
public enum Direction {
    SENDRECV("sendrecv"),
    SENDONLY("sendonly"),
    RECVONLY("recvonly"),
    INACTIVE("inactive");

    private final String token;

    Direction(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    /** The same flow seen from the other side: sendonly becomes recvonly and back. */
    public Direction reverse() {
        return switch (this) {
            case SENDONLY -> RECVONLY;
            case RECVONLY -> SENDONLY;
            default -> this;
        };
    }

    public static Direction of(boolean sends, boolean receives) {
        if (sends) {
            return receives ? SENDRECV : SENDONLY;
        }
        return receives ? RECVONLY : INACTIVE;
    }

    /** The direction named by a flag attribute, or null when the name is not one. */
    public static Direction fromToken(String name) {
        for (Direction d : values()) {
            if (d.token.equals(name)) {
                return d;
            }
        }
        return null;
    }
}
