package dev.fanout.rtp.codec;

import dev.fanout.rtp.RtpFormatException;

/**
 * The VP9 payload descriptor (RFC 9628 §4.2) in flexible ({@code F=1}) and non-flexible mode,
 * with the scalability structure (§4.2.1) when present. A reusable view.
 *
 * <pre>
 *      +-+-+-+-+-+-+-+-+
 *      |I|P|L|F|B|E|V|Z| (required)
 *      +-+-+-+-+-+-+-+-+
 * I:   |M| PICTURE ID  |  (M: 15-bit picture id)
 * M:   | EXTENDED PID  |
 * L:   | TID |U| SID |D|
 *      |   TL0PICIDX   |  (non-flexible mode only)
 * P,F: | P_DIFF      |N|  (flexible mode, inter-picture predicted: up to 3)
 * V:   | SS ...        |
 *
 * SS:  | N_S |Y|G|-|-|-|
 * Y:   | WIDTH (16)    | HEIGHT (16) |  N_S + 1 times
 * G:   |      N_G      |
 *      |  TID  |U| R |-|-|  P_DIFF × R |  N_G times
 * </pre>
 */
public final class Vp9Descriptor {
  /** Most spatial layers a scalability structure describes (N_S is 3 bits). */
  public static final int MAX_SPATIAL_LAYERS = 8;

  private final int[] widths = new int[MAX_SPATIAL_LAYERS];
  private final int[] heights = new int[MAX_SPATIAL_LAYERS];
  private final int[] pDiffs = new int[3];
  private int length;
  private boolean interPicturePredicted;
  private boolean flexible;
  private boolean startOfFrame;
  private boolean endOfFrame;
  private boolean notReferenceForUpperLayers;
  private int pictureId;
  private int pictureIdBits;
  private int temporalLayer;
  private boolean switchingUp;
  private int spatialLayer;
  private boolean interLayerDependency;
  private int tl0PicIdx;
  private int pDiffCount;
  private boolean hasScalabilityStructure;
  private int spatialLayers;
  private boolean hasResolutions;
  private int pictureGroupSize;

  /**
   * Parses the descriptor at the start of a payload of {@code len} bytes.
   *
   * @throws RtpFormatException when a flagged field is missing
   */
  public Vp9Descriptor parse(byte[] buf, int off, int len) {
    int end = off + len;
    int p = off;
    need(p + 1, end);
    int b0 = buf[p++] & 0xff;
    boolean hasPictureId = (b0 & 0x80) != 0;
    interPicturePredicted = (b0 & 0x40) != 0;
    boolean hasLayers = (b0 & 0x20) != 0;
    flexible = (b0 & 0x10) != 0;
    startOfFrame = (b0 & 0x08) != 0;
    endOfFrame = (b0 & 0x04) != 0;
    hasScalabilityStructure = (b0 & 0x02) != 0;
    notReferenceForUpperLayers = (b0 & 0x01) != 0;
    pictureId = -1;
    pictureIdBits = 0;
    temporalLayer = -1;
    switchingUp = false;
    spatialLayer = -1;
    interLayerDependency = false;
    tl0PicIdx = -1;
    pDiffCount = 0;
    spatialLayers = 0;
    hasResolutions = false;
    pictureGroupSize = -1;

    if (hasPictureId) {
      need(p + 1, end);
      if ((buf[p] & 0x80) != 0) {
        need(p + 2, end);
        pictureId = ((buf[p] & 0x7f) << 8) | (buf[p + 1] & 0xff);
        pictureIdBits = 15;
        p += 2;
      } else {
        pictureId = buf[p++] & 0x7f;
        pictureIdBits = 7;
      }
    }
    if (hasLayers) {
      need(p + 1, end);
      int l = buf[p++] & 0xff;
      temporalLayer = l >>> 5;
      switchingUp = (l & 0x10) != 0;
      spatialLayer = (l >>> 1) & 0x07;
      interLayerDependency = (l & 0x01) != 0;
      if (!flexible) {
        need(p + 1, end);
        tl0PicIdx = buf[p++] & 0xff;
      }
    }
    if (flexible && interPicturePredicted) {
      boolean more = true;
      while (more) {
        if (pDiffCount == 3) {
          throw new RtpFormatException("VP9 descriptor with more than 3 reference indices");
        }
        need(p + 1, end);
        int r = buf[p++] & 0xff;
        pDiffs[pDiffCount++] = r >>> 1;
        more = (r & 0x01) != 0;
      }
    }
    if (hasScalabilityStructure) {
      need(p + 1, end);
      int ss = buf[p++] & 0xff;
      spatialLayers = (ss >>> 5) + 1;
      hasResolutions = (ss & 0x10) != 0;
      boolean hasGroup = (ss & 0x08) != 0;
      if (hasResolutions) {
        need(p + 4 * spatialLayers, end);
        for (int i = 0; i < spatialLayers; i++) {
          widths[i] = ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
          heights[i] = ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
          p += 4;
        }
      }
      if (hasGroup) {
        need(p + 1, end);
        pictureGroupSize = buf[p++] & 0xff;
        for (int g = 0; g < pictureGroupSize; g++) {
          need(p + 1, end);
          int refs = (buf[p++] >>> 2) & 0x03;
          need(p + refs, end);
          p += refs;
        }
      }
    }
    length = p - off;
    return this;
  }

  private static void need(int needed, int end) {
    if (needed > end) {
      throw new RtpFormatException("VP9 payload descriptor truncated");
    }
  }

  public int length() {
    return length;
  }

  public boolean isFlexible() {
    return flexible;
  }

  public boolean isInterPicturePredicted() {
    return interPicturePredicted;
  }

  /** B: first packet of a layer frame. */
  public boolean isStartOfFrame() {
    return startOfFrame;
  }

  /** E: last packet of a layer frame. */
  public boolean isEndOfFrame() {
    return endOfFrame;
  }

  /** Z: not used as reference by upper spatial layers. */
  public boolean isNotReferenceForUpperLayers() {
    return notReferenceForUpperLayers;
  }

  /**
   * Whether this packet starts a key frame: the base spatial layer's first packet of a picture that
   * uses no inter-picture prediction.
   */
  public boolean isKeyFrame() {
    return startOfFrame && !interPicturePredicted && spatialLayer <= 0;
  }

  public int pictureId() {
    return pictureId;
  }

  public int pictureIdBits() {
    return pictureIdBits;
  }

  /** TID, or -1 without layer indices. */
  public int temporalLayer() {
    return temporalLayer;
  }

  /** U: switching-up point. */
  public boolean isSwitchingUp() {
    return switchingUp;
  }

  /** SID, or -1 without layer indices. */
  public int spatialLayer() {
    return spatialLayer;
  }

  /** D: depends on the lower spatial layer of the same picture. */
  public boolean hasInterLayerDependency() {
    return interLayerDependency;
  }

  /** TL0PICIDX (non-flexible mode), or -1. */
  public int tl0PicIdx() {
    return tl0PicIdx;
  }

  /** Reference indices (P_DIFF) in flexible mode, 0..3 of them. */
  public int referenceCount() {
    return pDiffCount;
  }

  public int referenceDiff(int i) {
    if (i < 0 || i >= pDiffCount) {
      throw new IllegalArgumentException("reference " + i + " of " + pDiffCount);
    }
    return pDiffs[i];
  }

  public boolean hasScalabilityStructure() {
    return hasScalabilityStructure;
  }

  /** N_S + 1 from the scalability structure, 0 without one. */
  public int spatialLayers() {
    return spatialLayers;
  }

  public boolean hasResolutions() {
    return hasResolutions;
  }

  public int width(int spatialLayer) {
    checkLayer(spatialLayer);
    return widths[spatialLayer];
  }

  public int height(int spatialLayer) {
    checkLayer(spatialLayer);
    return heights[spatialLayer];
  }

  private void checkLayer(int layer) {
    if (!hasResolutions || layer < 0 || layer >= spatialLayers) {
      throw new IllegalArgumentException("no resolution for spatial layer " + layer);
    }
  }

  /** N_G, or -1 when the structure has no picture group description. */
  public int pictureGroupSize() {
    return pictureGroupSize;
  }
}
