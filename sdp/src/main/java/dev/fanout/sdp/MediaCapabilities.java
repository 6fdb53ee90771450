package dev.fanout.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server negotiates: codecs in preference order, RTP header extensions per kind with
 * the ids the server uses when it is the offerer, and whether audio RED is accepted.
 */
public record MediaCapabilities(List<CodecCapability> codecs, Map<String, Integer> audioExtensions,
                                Map<String, Integer> videoExtensions, boolean audioRed) {

    private static final List<String> VIDEO_FEEDBACK = List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");

    public MediaCapabilities {
        codecs = List.copyOf(codecs);
        audioExtensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(audioExtensions));
        videoExtensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(videoExtensions));
    }

    /**
     * Opus, VP8, VP9 profiles 0 and 2, H.264 packetization-mode 1 (Constrained Baseline, Baseline and
     * Main), AV1; RTX for every video codec; RED for audio. Extension ids follow Chromium's own
     * numbering so that forwarding from a Chromium publisher rarely needs to rewrite an id.
     */
    public static MediaCapabilities defaults() {
        List<CodecCapability> c = new ArrayList<>();
        c.add(new CodecCapability(MediaKind.AUDIO, "opus", 48000, 2,
                ordered("minptime", "10", "useinbandfec", "1"), List.of("transport-cc"), false, 111));
        c.add(new CodecCapability(MediaKind.VIDEO, "VP8", 90000, 0, Map.of(), VIDEO_FEEDBACK, true, 96));
        c.add(new CodecCapability(MediaKind.VIDEO, "H264", 90000, 0,
                ordered("level-asymmetry-allowed", "1", "packetization-mode", "1", "profile-level-id", "42e01f"),
                VIDEO_FEEDBACK, true, 108));
        c.add(new CodecCapability(MediaKind.VIDEO, "H264", 90000, 0,
                ordered("level-asymmetry-allowed", "1", "packetization-mode", "1", "profile-level-id", "42001f"),
                VIDEO_FEEDBACK, true, 102));
        c.add(new CodecCapability(MediaKind.VIDEO, "H264", 90000, 0,
                ordered("level-asymmetry-allowed", "1", "packetization-mode", "1", "profile-level-id", "4d001f"),
                VIDEO_FEEDBACK, true, 116));
        c.add(new CodecCapability(MediaKind.VIDEO, "VP9", 90000, 0, ordered("profile-id", "0"), VIDEO_FEEDBACK, true, 98));
        // Profile 2 (10-bit): forwarded as is; only peers that both offer it negotiate it.
        c.add(new CodecCapability(MediaKind.VIDEO, "VP9", 90000, 0, ordered("profile-id", "2"), VIDEO_FEEDBACK, true, 100));
        c.add(new CodecCapability(MediaKind.VIDEO, "AV1", 90000, 0, Map.of(), VIDEO_FEEDBACK, true, 45));
        Map<String, Integer> audio = new LinkedHashMap<>();
        audio.put(RtpExtensionUris.SSRC_AUDIO_LEVEL, 1);
        audio.put(RtpExtensionUris.ABS_SEND_TIME, 2);
        audio.put(RtpExtensionUris.TRANSPORT_WIDE_CC, 3);
        audio.put(RtpExtensionUris.MID, 4);
        Map<String, Integer> video = new LinkedHashMap<>();
        video.put(RtpExtensionUris.ABS_SEND_TIME, 2);
        video.put(RtpExtensionUris.TRANSPORT_WIDE_CC, 3);
        video.put(RtpExtensionUris.MID, 4);
        video.put(RtpExtensionUris.RID, 10);
        video.put(RtpExtensionUris.REPAIRED_RID, 11);
        video.put(RtpExtensionUris.DEPENDENCY_DESCRIPTOR, 12);
        video.put(RtpExtensionUris.VIDEO_ORIENTATION, 13);
        return new MediaCapabilities(c, audio, video, true);
    }

    public Map<String, Integer> extensions(MediaKind kind) {
        return kind == MediaKind.AUDIO ? audioExtensions : videoExtensions;
    }

    public List<CodecCapability> codecs(MediaKind kind) {
        return codecs.stream().filter(c -> c.kind() == kind).toList();
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
