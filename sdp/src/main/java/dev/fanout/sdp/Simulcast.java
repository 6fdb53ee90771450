package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code a=simulcast} (RFC 8853): per direction, a list of streams separated by {@code ;}, each a
 * list of alternative rids separated by {@code ,}; a leading {@code ~} marks a paused rid.
 * For example {@code send q;h;f} is three streams, one rid each.
 */
public record Simulcast(List<List<Stream>> send, List<List<Stream>> recv) {

    public static final String NAME = "simulcast";

    /** One rid reference inside a simulcast stream description. */
    public record Stream(String rid, boolean paused) {
        @Override
        public String toString() {
            return paused ? "~" + rid : rid;
        }
    }

    public Simulcast {
        send = copy(send);
        recv = copy(recv);
    }

    private static List<List<Stream>> copy(List<List<Stream>> in) {
        List<List<Stream>> out = new ArrayList<>(in.size());
        for (List<Stream> alt : in) {
            out.add(List.copyOf(alt));
        }
        return List.copyOf(out);
    }

    static Simulcast parse(String value) throws SdpParseException {
        Tokens.requireValue(value, NAME);
        List<String> f = Tokens.fields(value, "a=simulcast");
        if (f.size() != 2 && f.size() != 4) {
            throw SdpParseException.value("a=simulcast needs 'send|recv <streams>' once or twice");
        }
        List<List<Stream>> send = List.of();
        List<List<Stream>> recv = List.of();
        boolean sawSend = false;
        boolean sawRecv = false;
        for (int i = 0; i < f.size(); i += 2) {
            String dir = f.get(i);
            List<List<Stream>> list = streams(f.get(i + 1));
            if (dir.equals("send") && !sawSend) {
                send = list;
                sawSend = true;
            } else if (dir.equals("recv") && !sawRecv) {
                recv = list;
                sawRecv = true;
            } else {
                throw SdpParseException.value("a=simulcast direction must be send or recv, each at most once");
            }
        }
        return new Simulcast(send, recv);
    }

    private static List<List<Stream>> streams(String text) throws SdpParseException {
        List<List<Stream>> out = new ArrayList<>();
        for (String alt : Tokens.split(text, ';')) {
            List<Stream> alts = new ArrayList<>();
            for (String id : Tokens.split(alt, ',')) {
                boolean paused = id.startsWith("~");
                alts.add(new Stream(Rid.checkId(paused ? id.substring(1) : id), paused));
            }
            out.add(alts);
        }
        return out;
    }

    /** Every rid named for the given direction, in order. */
    public List<String> rids(boolean sendDirection) {
        List<String> out = new ArrayList<>();
        for (List<Stream> alt : sendDirection ? send : recv) {
            for (Stream s : alt) {
                out.add(s.rid());
            }
        }
        return out;
    }

    public String value() {
        StringBuilder sb = new StringBuilder();
        if (!send.isEmpty()) {
            sb.append("send ").append(format(send));
        }
        if (!recv.isEmpty()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append("recv ").append(format(recv));
        }
        return sb.toString();
    }

    private static String format(List<List<Stream>> streams) {
        StringBuilder sb = new StringBuilder();
        for (List<Stream> alt : streams) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            for (int i = 0; i < alt.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(alt.get(i));
            }
        }
        return sb.toString();
    }

    public SdpLine line() {
        return SdpLine.attribute(NAME, value());
    }
}
