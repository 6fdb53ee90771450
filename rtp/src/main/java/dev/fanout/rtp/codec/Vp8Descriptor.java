package dev.fanout.rtp.codec;

import dev.fanout.rtp.RtpFormatException;

/**
 * The VP8 payload descriptor (RFC 7741 §4.2) at the start of an RTP payload, and the key frame bit
 * of the VP8 payload header that follows it at the start of a frame (§4.3). A reusable view: parse
 * once per packet, read the fields; {@link #setPictureId} and {@link #setTl0PicIdx} rewrite those
 * fields in place, in their existing width, as a simulcast switch needs.
 *
 * <pre>
 *       0 1 2 3 4 5 6 7
 *      +-+-+-+-+-+-+-+-+
 *      |X|R|N|S|R| PID | (required)
 *      +-+-+-+-+-+-+-+-+
 * X:   |I|L|T|K| RSV   |
 *      +-+-+-+-+-+-+-+-+
 * I:   |M| PictureID   |  (M: 15-bit picture id, one more byte)
 *      +-+-+-+-+-+-+-+-+
 * L:   |   TL0PICIDX   |
 *      +-+-+-+-+-+-+-+-+
 * T/K: |TID|Y| KEYIDX  |
 *      +-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Vp8Descriptor {
  private byte[] buf;
  private int length;
  private boolean nonReference;
  private boolean startOfPartition;
  private int partitionIndex;
  private int pictureId;
  private int pictureIdBits;
  private int pictureIdOffset;
  private int tl0PicIdx;
  private int tl0PicIdxOffset;
  private int temporalLayer;
  private boolean layerSync;
  private int keyIndex;
  private boolean keyFrame;

  /**
   * Parses the descriptor at the start of a payload of {@code len} bytes.
   *
   * @throws RtpFormatException when a flagged field is missing or there is no payload after it
   */
  public Vp8Descriptor parse(byte[] buf, int off, int len) {
    this.buf = null;
    if (len < 1) {
      throw RtpFormatException.truncated("VP8 payload descriptor", 1, len);
    }
    int p = off;
    int b0 = buf[p++] & 0xff;
    nonReference = (b0 & 0x20) != 0;
    startOfPartition = (b0 & 0x10) != 0;
    partitionIndex = b0 & 0x07;
    pictureId = -1;
    pictureIdBits = 0;
    pictureIdOffset = -1;
    tl0PicIdx = -1;
    tl0PicIdxOffset = -1;
    temporalLayer = -1;
    layerSync = false;
    keyIndex = -1;
    int end = off + len;
    if ((b0 & 0x80) != 0) {
      need(p + 1, end);
      int x = buf[p++] & 0xff;
      if ((x & 0x80) != 0) {
        need(p + 1, end);
        pictureIdOffset = p;
        if ((buf[p] & 0x80) != 0) {
          need(p + 2, end);
          pictureId = ((buf[p] & 0x7f) << 8) | (buf[p + 1] & 0xff);
          pictureIdBits = 15;
          p += 2;
        } else {
          pictureId = buf[p] & 0x7f;
          pictureIdBits = 7;
          p += 1;
        }
      }
      if ((x & 0x40) != 0) {
        need(p + 1, end);
        tl0PicIdxOffset = p;
        tl0PicIdx = buf[p++] & 0xff;
      }
      if ((x & 0x30) != 0) {
        need(p + 1, end);
        int tk = buf[p++] & 0xff;
        if ((x & 0x20) != 0) {
          temporalLayer = tk >>> 6;
          layerSync = (tk & 0x20) != 0;
        }
        if ((x & 0x10) != 0) {
          keyIndex = tk & 0x1f;
        }
      }
    }
    if (p >= end) {
      throw new RtpFormatException("VP8 packet without payload after its descriptor");
    }
    length = p - off;
    keyFrame = startOfPartition && partitionIndex == 0 && (buf[p] & 0x01) == 0;
    this.buf = buf;
    return this;
  }

  private static void need(int needed, int end) {
    if (needed > end) {
      throw new RtpFormatException("VP8 payload descriptor truncated");
    }
  }

  /** Descriptor bytes; the VP8 payload starts this far into the RTP payload. */
  public int length() {
    return length;
  }

  public boolean isNonReference() {
    return nonReference;
  }

  public boolean isStartOfPartition() {
    return startOfPartition;
  }

  public int partitionIndex() {
    return partitionIndex;
  }

  /** Whether this packet starts a frame: start of partition 0. */
  public boolean isStartOfFrame() {
    return startOfPartition && partitionIndex == 0;
  }

  /** Whether this packet starts a key frame (the payload header's P bit is 0). */
  public boolean isKeyFrame() {
    return keyFrame;
  }

  /** The picture id, or -1 when absent. */
  public int pictureId() {
    return pictureId;
  }

  /** 7 or 15, or 0 when the picture id is absent. */
  public int pictureIdBits() {
    return pictureIdBits;
  }

  /** TL0PICIDX, or -1 when absent. */
  public int tl0PicIdx() {
    return tl0PicIdx;
  }

  /** The temporal layer index (TID), or -1 when absent. */
  public int temporalLayer() {
    return temporalLayer;
  }

  public boolean isLayerSync() {
    return layerSync;
  }

  /** KEYIDX, or -1 when absent. */
  public int keyIndex() {
    return keyIndex;
  }

  /** Rewrites the picture id in place, modulo its existing width. */
  public void setPictureId(int pictureId) {
    if (pictureIdOffset < 0) {
      throw new IllegalStateException("no picture id in this descriptor");
    }
    if (pictureIdBits == 15) {
      buf[pictureIdOffset] = (byte) (0x80 | ((pictureId >>> 8) & 0x7f));
      buf[pictureIdOffset + 1] = (byte) pictureId;
      this.pictureId = pictureId & 0x7fff;
    } else {
      buf[pictureIdOffset] = (byte) (pictureId & 0x7f);
      this.pictureId = pictureId & 0x7f;
    }
  }

  /** Rewrites TL0PICIDX in place. */
  public void setTl0PicIdx(int tl0PicIdx) {
    if (tl0PicIdxOffset < 0) {
      throw new IllegalStateException("no TL0PICIDX in this descriptor");
    }
    buf[tl0PicIdxOffset] = (byte) tl0PicIdx;
    this.tl0PicIdx = tl0PicIdx & 0xff;
  }
}
