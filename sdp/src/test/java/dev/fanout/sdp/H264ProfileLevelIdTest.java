package dev.fanout.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.sdp.H264ProfileLevelId.Profile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class H264ProfileLevelIdTest {

    @ParameterizedTest
    @CsvSource({
            "42e01f, CONSTRAINED_BASELINE", "42c01f, CONSTRAINED_BASELINE", "4d801f, CONSTRAINED_BASELINE",
            "42001f, BASELINE", "4d001f, MAIN", "58001f, EXTENDED", "640c1f, CONSTRAINED_HIGH", "64001f, HIGH",
            "42e81f, UNKNOWN", "ff001f, UNKNOWN"})
    void rfc6184Table5ClassifiesProfiles(String hex, Profile profile) {
        assertThat(H264ProfileLevelId.parse(hex).profile()).isEqualTo(profile);
    }

    @Test
    void levelMayDifferButProfileMustMatch() {
        CodecCapability cb = MediaCapabilities.defaults().codecs(MediaKind.VIDEO).stream()
                .filter(c -> c.name().equals("H264") && c.parameters().get("profile-level-id").equals("42e01f"))
                .findFirst().orElseThrow();
        Rtpmap h264 = new Rtpmap(100, "H264", 90000, 0);
        assertThat(cb.accepts(h264, Map.of("packetization-mode", "1", "profile-level-id", "42e034"))).isTrue();
        assertThat(cb.accepts(h264, Map.of("packetization-mode", "1", "profile-level-id", "42e00a"))).isTrue();
        assertThat(cb.accepts(h264, Map.of("packetization-mode", "0", "profile-level-id", "42e01f"))).isFalse();
        assertThat(cb.accepts(h264, Map.of("packetization-mode", "1", "profile-level-id", "640c1f"))).isFalse();
        assertThat(cb.accepts(h264, Map.of("packetization-mode", "1", "profile-level-id", "zzzzzz"))).isFalse();
    }

    @Test
    void malformedValuesDoNotParse() {
        assertThat(H264ProfileLevelId.parse("42e01")).isNull();
        assertThat(H264ProfileLevelId.parse("42e01g")).isNull();
        assertThat(H264ProfileLevelId.parse(null)).isNull();
        assertThat(H264ProfileLevelId.parse("42E01F").toString()).isEqualTo("42e01f");
    }
}
