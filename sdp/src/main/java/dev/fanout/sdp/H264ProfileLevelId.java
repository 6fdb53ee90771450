package dev.fanout.sdp;

import java.util.Locale;

/**
 * The H.264 {@code profile-level-id} fmtp parameter (RFC 6184 §8.1): three bytes in hex,
 * profile_idc, profile-iop (the constraint flags) and level_idc. Two values name the same
 * profile when RFC 6184 Table 5 classifies them alike; offer/answer (§8.2.2) requires the
 * profile to match while the level may differ.
 */
public record H264ProfileLevelId(int profileIdc, int profileIop, int levelIdc) {

    /** RFC 6184 §8.1: without the parameter, Baseline profile at level 1.0 is meant. */
    public static final H264ProfileLevelId DEFAULT = new H264ProfileLevelId(0x42, 0x00, 0x0A);

    /** Profiles distinguished by RFC 6184 Table 5, plus Constrained High (H.264 A.2.11). */
    public enum Profile {
        CONSTRAINED_BASELINE, BASELINE, MAIN, EXTENDED, HIGH, CONSTRAINED_HIGH, HIGH_10, HIGH_422, HIGH_444, UNKNOWN
    }

    /** profile_idc, then the profile-iop pattern: 'x' any bit, '0'/'1' a required bit. */
    private record Pattern(int idc, String iop, Profile profile) {
        boolean matches(int idc0, int iop0) {
            if (idc0 != idc) {
                return false;
            }
            for (int bit = 0; bit < 8; bit++) {
                char c = iop.charAt(bit);
                int v = (iop0 >> (7 - bit)) & 1;
                if ((c == '0' && v != 0) || (c == '1' && v != 1)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Pattern[] PATTERNS = {
        new Pattern(0x42, "x1xx0000", Profile.CONSTRAINED_BASELINE),
        new Pattern(0x4D, "1xxx0000", Profile.CONSTRAINED_BASELINE),
        new Pattern(0x58, "11xx0000", Profile.CONSTRAINED_BASELINE),
        new Pattern(0x42, "x0xx0000", Profile.BASELINE),
        new Pattern(0x58, "10xx0000", Profile.BASELINE),
        new Pattern(0x4D, "0x0x0000", Profile.MAIN),
        new Pattern(0x58, "00xx0000", Profile.EXTENDED),
        new Pattern(0x64, "00001100", Profile.CONSTRAINED_HIGH),
        new Pattern(0x64, "00000000", Profile.HIGH),
        new Pattern(0x6E, "00000000", Profile.HIGH_10),
        new Pattern(0x7A, "00000000", Profile.HIGH_422),
        new Pattern(0xF4, "00000000", Profile.HIGH_444),
    };

    /** Parses six hex digits; returns null for anything else. */
    public static H264ProfileLevelId parse(String text) {
        if (text == null || text.length() != 6) {
            return null;
        }
        int[] b = new int[3];
        for (int i = 0; i < 3; i++) {
            int hi = Character.digit(text.charAt(2 * i), 16);
            int lo = Character.digit(text.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            b[i] = hi << 4 | lo;
        }
        return new H264ProfileLevelId(b[0], b[1], b[2]);
    }

    /** From an fmtp parameter map: the parsed value, the default when absent, null when malformed. */
    public static H264ProfileLevelId fromParameters(java.util.Map<String, String> params) {
        String v = params.get("profile-level-id");
        return v == null ? DEFAULT : parse(v);
    }

    public Profile profile() {
        for (Pattern p : PATTERNS) {
            if (p.matches(profileIdc, profileIop)) {
                return p.profile();
            }
        }
        return Profile.UNKNOWN;
    }

    public boolean sameProfile(H264ProfileLevelId other) {
        Profile a = profile();
        return other != null && a != Profile.UNKNOWN && a == other.profile();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%02x%02x%02x", profileIdc, profileIop, levelIdc);
    }
}
