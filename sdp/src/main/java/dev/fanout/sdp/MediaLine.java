package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@code m=} line: {@code m=<media> <port>[/<number of ports>] <proto> <fmt> ...}.
 * Formats are kept as text because non-RTP protocols (data channels) use names; for RTP
 * protocols every format is a payload type number, checked at parse time.
 *
 * @param portCount the number after the slash, or 0 when the line has none
 */
public record MediaLine(String kind, int port, int portCount, String proto, List<String> formats) {

    public MediaLine {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(proto, "proto");
        formats = List.copyOf(formats);
    }

    public static MediaLine of(String kind, int port, String proto, List<String> formats) {
        return new MediaLine(kind, port, 0, proto, formats);
    }

    /** True for the RTP profiles (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, ...). */
    public boolean isRtp() {
        return proto.contains("RTP/");
    }

    /** The payload type numbers of an RTP section in m= line order; empty for other protocols. */
    public List<Integer> payloadTypes() {
        if (!isRtp()) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>(formats.size());
        for (String f : formats) {
            out.add(Integer.parseInt(f)); // validated at parse or construction time
        }
        return out;
    }

    public MediaLine withPort(int newPort) {
        return new MediaLine(kind, newPort, portCount, proto, formats);
    }

    static MediaLine parse(String value) throws SdpParseException {
        List<String> f = Tokens.fields(value, "m= line");
        if (f.size() < 4) {
            throw SdpParseException.value("m= line needs media, port, proto and at least one format");
        }
        String kind = Tokens.token(f.get(0), "media type");
        String portText = f.get(1);
        int slash = portText.indexOf('/');
        int port;
        int count = 0;
        if (slash < 0) {
            port = Tokens.parseInt(portText, 0, 65535, "port");
        } else {
            port = Tokens.parseInt(portText.substring(0, slash), 0, 65535, "port");
            count = Tokens.parseInt(portText.substring(slash + 1), 1, 65535, "number of ports");
        }
        String proto = f.get(2);
        for (String part : Tokens.split(proto, '/')) {
            Tokens.token(part, "proto");
        }
        List<String> formats = f.subList(3, f.size());
        boolean rtp = proto.contains("RTP/");
        for (String fmt : formats) {
            if (rtp) {
                Tokens.payloadType(fmt);
            } else {
                Tokens.token(fmt, "format");
            }
        }
        return new MediaLine(kind, port, count, proto, formats);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(kind).append(' ').append(port);
        if (portCount > 0) {
            sb.append('/').append(portCount);
        }
        sb.append(' ').append(proto);
        for (String f : formats) {
            sb.append(' ').append(f);
        }
        return sb.toString();
    }
}
