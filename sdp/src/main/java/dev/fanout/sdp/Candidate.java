package dev.fanout.sdp;

import java.util.List;

/**
 * {@code a=candidate} (RFC 8839 §5.1):
 * {@code <foundation> <component> <transport> <priority> <address> <port> typ <type>
 * [raddr <addr>] [rport <port>] *(<name> <value>)}.
 *
 * @param relatedAddress null when absent
 * @param relatedPort    -1 when absent
 * @param extensions     the extension name/value pairs after the known fields, as written, or ""
 */
public record Candidate(String foundation, int component, String transport, long priority,
                        String address, int port, String type, String relatedAddress, int relatedPort,
                        String extensions) {

    public static final String NAME = "candidate";

    /** A UDP host candidate for component 1, which is all an ICE-lite SFU offers. */
    public static Candidate host(String foundation, long priority, String address, int port) {
        return new Candidate(foundation, 1, "udp", priority, address, port, "host", null, -1, "");
    }

    static Candidate parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        List<String> f = Tokens.fields(value, "a=candidate");
        if (f.size() < 8) {
            throw SdpParseException.value("a=candidate needs at least 8 fields");
        }
        String foundation = f.get(0);
        if (foundation.length() > 32 || !Tokens.isVisible(foundation)) {
            throw SdpParseException.value("invalid candidate foundation");
        }
        int component = Tokens.parseInt(f.get(1), 1, 256, "candidate component");
        String transport = Tokens.token(f.get(2), "candidate transport");
        long priority = Tokens.parseLong(f.get(3), 1, 0xFFFFFFFFL, "candidate priority");
        String address = Tokens.visible(f.get(4), "candidate address");
        int port = Tokens.parseInt(f.get(5), 0, 65535, "candidate port");
        if (!f.get(6).equals("typ")) {
            throw SdpParseException.value("a=candidate: expected 'typ', found '" + Tokens.clip(f.get(6)) + "'");
        }
        String type = Tokens.token(f.get(7), "candidate type");
        int i = 8;
        String raddr = null;
        int rport = -1;
        if (i + 1 < f.size() && f.get(i).equals("raddr")) {
            raddr = Tokens.visible(f.get(i + 1), "candidate raddr");
            i += 2;
        }
        if (i + 1 < f.size() && f.get(i).equals("rport")) {
            rport = Tokens.parseInt(f.get(i + 1), 0, 65535, "candidate rport");
            i += 2;
        }
        if ((f.size() - i) % 2 != 0) {
            throw SdpParseException.value("a=candidate extensions must be name/value pairs");
        }
        for (int j = i; j < f.size(); j++) {
            Tokens.visible(f.get(j), "candidate extension");
        }
        String ext = String.join(" ", f.subList(i, f.size()));
        return new Candidate(foundation, component, transport, priority, address, port, type, raddr, rport, ext);
    }

    public String value() {
        StringBuilder sb = new StringBuilder()
                .append(foundation).append(' ').append(component).append(' ').append(transport).append(' ')
                .append(priority).append(' ').append(address).append(' ').append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress);
        }
        if (relatedPort >= 0) {
            sb.append(" rport ").append(relatedPort);
        }
        if (!extensions.isEmpty()) {
            sb.append(' ').append(extensions);
        }
        return sb.toString();
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
