package dev.fanout.rtp.codec;

import dev.fanout.rtp.RtpFormatException;

/**
 * What an H.264 RTP payload (RFC 6184 §5.6–5.8) carries: a single NAL unit (types 1–23), an
 * aggregation of several (STAP-A, type 24) or a fragment of one (FU-A, type 28). A reusable view
 * that finds the NAL unit types a forwarder cares about: IDR slices, SPS and PPS.
 *
 * <pre>
 * NAL unit header:  |F|NRI|  Type   |
 * STAP-A:           |F|NRI|  24     | size (16) | NALU | size (16) | NALU | ...
 * FU-A:             |F|NRI|  28     |S|E|R| Type |  fragment ...
 * </pre>
 */
public final class H264Payload {
  public static final int NAL_SLICE = 1;
  public static final int NAL_IDR = 5;
  public static final int NAL_SEI = 6;
  public static final int NAL_SPS = 7;
  public static final int NAL_PPS = 8;
  public static final int STAP_A = 24;
  public static final int FU_A = 28;

  private int packetType;
  private int nalType;
  private boolean startOfNal;
  private boolean endOfNal;
  private boolean idr;
  private boolean sps;
  private boolean pps;
  private int nalCount;

  /**
   * Parses a payload of {@code len} bytes.
   *
   * @throws RtpFormatException for an empty payload, a forbidden bit set, a malformed aggregation
   *     or a truncated fragment header; packetization modes other than single NAL, STAP-A and
   *     FU-A (STAP-B, MTAP, FU-B, types 0 and 30–31) are rejected too, since WebRTC does not use
   *     them
   */
  public H264Payload parse(byte[] buf, int off, int len) {
    if (len < 1) {
      throw RtpFormatException.truncated("H.264 payload", 1, len);
    }
    int header = buf[off] & 0xff;
    if ((header & 0x80) != 0) {
      throw new RtpFormatException("H.264 NAL unit with the forbidden bit set");
    }
    packetType = header & 0x1f;
    idr = sps = pps = false;
    nalCount = 0;
    if (packetType >= 1 && packetType <= 23) {
      nalType = packetType;
      startOfNal = endOfNal = true;
      nalCount = 1;
      note(nalType);
    } else if (packetType == STAP_A) {
      int p = off + 1;
      int end = off + len;
      nalType = -1;
      while (p < end) {
        if (p + 2 > end) {
          throw new RtpFormatException("STAP-A NAL unit size truncated");
        }
        int size = ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
        p += 2;
        if (size == 0 || p + size > end) {
          throw new RtpFormatException("STAP-A NAL unit of " + size + " bytes with " + (end - p) + " left");
        }
        int type = buf[p] & 0x1f;
        if (nalType < 0) {
          nalType = type;
        }
        note(type);
        nalCount++;
        p += size;
      }
      if (nalCount == 0) {
        throw new RtpFormatException("STAP-A without NAL units");
      }
      startOfNal = endOfNal = true;
    } else if (packetType == FU_A) {
      if (len < 2) {
        throw RtpFormatException.truncated("FU-A header", 2, len);
      }
      int fu = buf[off + 1] & 0xff;
      startOfNal = (fu & 0x80) != 0;
      endOfNal = (fu & 0x40) != 0;
      nalType = fu & 0x1f;
      nalCount = startOfNal ? 1 : 0;
      if (startOfNal) {
        note(nalType);
      }
    } else {
      throw new RtpFormatException("H.264 packet type " + packetType + " is not supported");
    }
    return this;
  }

  private void note(int type) {
    idr |= type == NAL_IDR;
    sps |= type == NAL_SPS;
    pps |= type == NAL_PPS;
  }

  /** The type in the first byte: 1–23 for a single NAL unit, {@link #STAP_A} or {@link #FU_A}. */
  public int packetType() {
    return packetType;
  }

  /** The type of the (first) NAL unit carried; for FU-A, of the fragmented one. */
  public int nalType() {
    return nalType;
  }

  /** False only for FU-A fragments after the first. */
  public boolean isStartOfNal() {
    return startOfNal;
  }

  public boolean isEndOfNal() {
    return endOfNal;
  }

  /** Whether an IDR slice starts in this packet. */
  public boolean containsIdr() {
    return idr;
  }

  public boolean containsSps() {
    return sps;
  }

  public boolean containsPps() {
    return pps;
  }

  /** Whether a decoder can start here: an IDR slice or a sequence parameter set begins. */
  public boolean isKeyFrame() {
    return idr || sps;
  }

  /** NAL units that start in this packet. */
  public int nalCount() {
    return nalCount;
  }
}
