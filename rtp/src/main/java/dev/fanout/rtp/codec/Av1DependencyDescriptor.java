package dev.fanout.rtp.codec;

import dev.fanout.rtp.RtpFormatException;
import dev.fanout.rtp.RtpPacket;

/**
 * The fields of the AV1 RTP dependency descriptor header extension (AV1 RTP specification,
 * Appendix A.8) a forwarder reads without the negotiated template structure: the mandatory
 * fields, the extended-field flags and, when a template dependency structure is attached, its
 * template id offset and decode target count. Senders attach the structure to key frames, so
 * {@link #isKeyFrame()} is "starts a frame and carries a structure".
 *
 * <pre>
 * mandatory:  | S | E | template id (6) |  frame number (16)  |
 * extended:   | structure present | active decode targets present | custom dtis | custom fdiffs |
 *             | custom chains | ... structure: template id offset (6), decode targets - 1 (5) ...
 * </pre>
 */
public final class Av1DependencyDescriptor {
  private boolean startOfFrame;
  private boolean endOfFrame;
  private int templateId;
  private int frameNumber;
  private boolean extended;
  private boolean structurePresent;
  private boolean activeDecodeTargetsPresent;
  private boolean customDtis;
  private boolean customFdiffs;
  private boolean customChains;
  private int templateIdOffset;
  private int decodeTargetCount;

  /** Whether the packet carries the descriptor under its negotiated extension id. */
  public static boolean isPresent(RtpPacket packet, int extensionId) {
    return packet.extensionOffset(extensionId) >= 0;
  }

  /**
   * Parses the extension value of {@code len} bytes.
   *
   * @throws RtpFormatException when it is shorter than the 3 mandatory bytes, or a flagged
   *     structure header is missing
   */
  public Av1DependencyDescriptor parse(byte[] buf, int off, int len) {
    if (len < 3) {
      throw RtpFormatException.truncated("AV1 dependency descriptor", 3, len);
    }
    int b0 = buf[off] & 0xff;
    startOfFrame = (b0 & 0x80) != 0;
    endOfFrame = (b0 & 0x40) != 0;
    templateId = b0 & 0x3f;
    frameNumber = ((buf[off + 1] & 0xff) << 8) | (buf[off + 2] & 0xff);
    extended = len > 3;
    structurePresent = activeDecodeTargetsPresent = customDtis = customFdiffs = customChains = false;
    templateIdOffset = -1;
    decodeTargetCount = -1;
    if (extended) {
      int b3 = buf[off + 3] & 0xff;
      structurePresent = (b3 & 0x80) != 0;
      activeDecodeTargetsPresent = (b3 & 0x40) != 0;
      customDtis = (b3 & 0x20) != 0;
      customFdiffs = (b3 & 0x10) != 0;
      customChains = (b3 & 0x08) != 0;
      if (structurePresent) {
        // the low 3 bits of byte 3 and byte 4: template_id_offset f(6), dt_cnt_minus_one f(5)
        if (len < 5) {
          throw RtpFormatException.truncated("AV1 template dependency structure", 5, len);
        }
        int bits = ((b3 & 0x07) << 8) | (buf[off + 4] & 0xff);
        templateIdOffset = bits >>> 5;
        decodeTargetCount = (bits & 0x1f) + 1;
      }
    }
    return this;
  }

  public boolean isStartOfFrame() {
    return startOfFrame;
  }

  public boolean isEndOfFrame() {
    return endOfFrame;
  }

  public int templateId() {
    return templateId;
  }

  public int frameNumber() {
    return frameNumber;
  }

  /** Whether the extended descriptor fields are present (the value is longer than 3 bytes). */
  public boolean hasExtendedFields() {
    return extended;
  }

  public boolean isTemplateStructurePresent() {
    return structurePresent;
  }

  public boolean isActiveDecodeTargetsPresent() {
    return activeDecodeTargetsPresent;
  }

  public boolean hasCustomDtis() {
    return customDtis;
  }

  public boolean hasCustomFdiffs() {
    return customFdiffs;
  }

  public boolean hasCustomChains() {
    return customChains;
  }

  /** The structure's template id offset, or -1 without a structure. */
  public int templateIdOffset() {
    return templateIdOffset;
  }

  /** The structure's decode target count, or -1 without a structure. */
  public int decodeTargetCount() {
    return decodeTargetCount;
  }

  /** Whether this packet starts a key frame: start of frame with a new template structure. */
  public boolean isKeyFrame() {
    return startOfFrame && structurePresent;
  }
}
