package dev.fanout.sdp;

/**
 * Bounds the parser enforces before it looks at any value. The defaults are several times what
 * Chromium produces for a simulcast offer with candidates (about 7 KiB, under 200 lines, a few
 * media sections) and small enough that a hostile client cannot make the server do much work.
 *
 * @param maxChars          total size of the document, in UTF-16 chars (equal to bytes for ASCII)
 * @param maxLines          number of lines
 * @param maxLineLength     length of one line without its terminator
 * @param maxMediaSections  number of {@code m=} sections
 */
public record SdpLimits(int maxChars, int maxLines, int maxLineLength, int maxMediaSections) {

    public static final SdpLimits DEFAULT = new SdpLimits(64 * 1024, 4096, 4096, 128);

    public SdpLimits {
        if (maxChars <= 0 || maxLines <= 0 || maxLineLength <= 0 || maxMediaSections < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
