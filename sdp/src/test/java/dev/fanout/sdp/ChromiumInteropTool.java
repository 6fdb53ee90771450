package dev.fanout.sdp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Drives the SDP code from a browser test script, one request per line on stdin:
 * {@code <command> [base64 argument]}, answered by {@code OK <base64 result>} or
 * {@code ERR <message>}. Used by {@code docs/sdp.md}'s Chromium check; not part of the build's
 * tests. Commands: {@code publish <offer>}, {@code add-audio}, {@code add-video},
 * {@code remove <mid>}, {@code offer}, {@code answer <answer>}.
 */
public final class ChromiumInteropTool {
    private ChromiumInteropTool() {}

    public static void main(String[] args) throws Exception {
        LocalTransport local = LocalTransport.of("fanoutUfrag", "fanoutPasswordFanoutPassword",
                new Fingerprint("sha-256",
                        "3A:9C:44:7E:12:5B:AF:60:01:D2:8E:77:C3:19:4B:E5:90:2F:6D:A8:13:C7:5E:B4:08:F1:62:9D:3E:AA:71:C0"),
                List.of(Candidate.host("1", 2130706431L, "127.0.0.1", 10000)));
        MediaCapabilities caps = MediaCapabilities.defaults();
        SubscribeSession session = new SubscribeSession(local, caps, 1234);
        NegotiatedSession published = null;
        long ssrc = 10_000;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split(" ", 2);
            String arg = parts.length > 1 ? new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8) : null;
            try {
                String result;
                switch (parts[0]) {
                    case "publish" -> {
                        PublishAnswer a = PublishNegotiator.buildPublishAnswer(SdpParser.parse(arg), local, caps, Origin.of(99, 1));
                        published = a.negotiated();
                        result = SdpWriter.write(a.answer());
                    }
                    case "add-audio", "add-video" -> {
                        MediaKind kind = parts[0].equals("add-audio") ? MediaKind.AUDIO : MediaKind.VIDEO;
                        NegotiatedMedia p = published.accepted().stream().filter(m -> m.kind() == kind).findFirst().orElseThrow();
                        ssrc += 10;
                        result = session.addTrack(new SubscribeTrack(kind, "stream-" + ssrc, "track-" + ssrc, "fanout",
                                ssrc, kind == MediaKind.VIDEO ? ssrc + 1 : -1, p.codecs()));
                    }
                    case "remove" -> {
                        session.removeTrack(arg);
                        result = "removed";
                    }
                    case "offer" -> result = SdpWriter.write(session.buildSubscribeOffer());
                    case "answer" -> {
                        NegotiatedSession n = session.applySubscribeAnswer(SdpParser.parse(arg));
                        StringBuilder sb = new StringBuilder("setup=" + n.transport().localSetup());
                        for (NegotiatedMedia m : n.media()) {
                            sb.append("\n").append(m.mid()).append(' ').append(m.kind()).append(" accepted=").append(m.accepted())
                                    .append(" dir=").append(m.direction())
                                    .append(" codecs=").append(m.codecs().stream().map(c -> c.name() + ":" + c.payloadType()).toList())
                                    .append(" rtx=").append(m.rtxPayloadTypes())
                                    .append(" ext=").append(m.extensionIds().values());
                        }
                        result = sb.toString();
                    }
                    default -> throw new IllegalArgumentException("unknown command " + parts[0]);
                }
                System.out.println("OK " + Base64.getEncoder().encodeToString(result.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                System.out.println("ERR " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            System.out.flush();
        }
    }
}
