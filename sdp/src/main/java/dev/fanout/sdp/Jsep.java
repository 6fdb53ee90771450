package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Pieces shared by the publish answer and the subscribe offer (RFC 8829). */
final class Jsep {
    private Jsep() {}

    static final String PROTO = "UDP/TLS/RTP/SAVPF";

    /** The address and port for {@code m=} and {@code c=}: the first candidate, else the JSEP placeholder. */
    static String defaultAddress(LocalTransport local) {
        return local.candidates().isEmpty() ? "0.0.0.0" : local.candidates().get(0).address();
    }

    static int defaultPort(LocalTransport local) {
        return local.candidates().isEmpty() ? 9 : local.candidates().get(0).port();
    }

    /** Candidates, ICE credentials, fingerprints and setup, in the order browsers write them. */
    static void appendTransport(MediaDescription.Builder b, LocalTransport local, Setup setup) {
        b.connection(defaultAddress(local));
        for (Candidate c : local.candidates()) {
            b.line(c.line());
        }
        if (!local.candidates().isEmpty()) {
            b.attribute(Attributes.END_OF_CANDIDATES);
        }
        b.attribute(Attributes.ICE_UFRAG, local.iceUfrag());
        b.attribute(Attributes.ICE_PWD, local.icePwd());
        for (Fingerprint f : local.fingerprints()) {
            b.line(f.line());
        }
        b.attribute(Attributes.SETUP, setup.token());
    }

    static void appendCodec(MediaDescription.Builder b, NegotiatedCodec c, String fmtpText) {
        b.line(new Rtpmap(c.payloadType(), c.name(), c.clockRate(), c.channels()).line());
        for (String fb : c.feedback()) {
            b.attribute(RtcpFeedback.NAME, c.payloadType() + " " + fb);
        }
        if (fmtpText != null && !fmtpText.isEmpty()) {
            b.line(new Fmtp(c.payloadType(), fmtpText).line());
        }
        if (c.hasRtx()) {
            b.line(new Rtpmap(c.rtxPayloadType(), "rtx", c.clockRate(), 0).line());
            b.line(new Fmtp(c.rtxPayloadType(), "apt=" + c.payloadType()).line());
        }
    }

    static String fmtpText(Map<String, String> params) {
        return params.isEmpty() ? null : Fmtp.of(0, params).parameterText();
    }

    /**
     * Reads the remote transport from a section, falling back to session level.
     *
     * @param offer true when the remote description is an offer (then setup may be actpass)
     */
    static TransportDescription remoteTransport(SessionDescription sd, MediaDescription m, boolean offer)
            throws SdpNegotiationException {
        String where = "media section " + m.mid().orElse("?");
        String ufrag = sd.iceUfrag(m).orElseThrow(() -> new SdpNegotiationException(where + " has no a=ice-ufrag"));
        String pwd = sd.icePwd(m).orElseThrow(() -> new SdpNegotiationException(where + " has no a=ice-pwd"));
        List<Fingerprint> fps = sd.fingerprints(m);
        if (fps.isEmpty()) {
            throw new SdpNegotiationException(where + " has no a=fingerprint");
        }
        // RFC 4145 §4: without a=setup the endpoint is active.
        Setup remote = sd.setup(m).orElse(Setup.ACTIVE);
        Setup local = switch (remote) {
            case ACTPASS -> {
                if (!offer) {
                    throw new SdpNegotiationException(where + ": a=setup:actpass is not allowed in an answer");
                }
                yield Setup.PASSIVE;
            }
            case ACTIVE -> Setup.PASSIVE;
            case PASSIVE -> Setup.ACTIVE;
            case HOLDCONN -> throw new SdpNegotiationException(where + ": a=setup:holdconn is not supported");
        };
        return new TransportDescription(ufrag, pwd, fps, remote, local, new ArrayList<>(m.candidates()), sd.iceLite());
    }

    static String cname(MediaDescription m) {
        for (SsrcAttribute a : m.ssrcAttributes()) {
            if (a.attribute().equals("cname") && a.value() != null) {
                return a.value();
            }
        }
        return null;
    }

    static Msid msid(MediaDescription m) {
        List<Msid> msids = m.msids();
        if (!msids.isEmpty()) {
            return msids.get(0);
        }
        for (SsrcAttribute a : m.ssrcAttributes()) {
            if (a.attribute().equals("msid") && a.value() != null) {
                String[] parts = a.value().split(" ", 2);
                return new Msid(parts[0], parts.length > 1 ? parts[1] : null);
            }
        }
        return null;
    }
}
