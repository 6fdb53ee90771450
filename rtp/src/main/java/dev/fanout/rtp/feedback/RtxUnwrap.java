package dev.fanout.rtp.feedback;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.RtpHeader;
import dev.fanout.rtp.RtpPacket;

/**
 * Restores the original packet from an RTX retransmission in place (RFC 4588 §4): the RTX payload
 * starts with the original sequence number (OSN), followed by the original payload.
 *
 * <pre>
 *  RTX:       | RTP header (RTX SSRC, RTX PT, RTX seq) | OSN (2) | original payload | padding |
 *  restored:  | RTP header (SSRC, PT, OSN)             | original payload | padding |
 * </pre>
 *
 * The header, CSRCs and header extensions stay as they are (their values, such as the
 * transport-wide sequence number, belong to the RTX packet and should be read before unwrapping
 * when they matter), the payload and any padding move back by two bytes, and the packet gets two
 * bytes shorter. The RTX stream's own padding is kept, as a WebRTC receiver keeps it. The SSRC and
 * payload type to restore come from the caller: the RTX SSRC's media SSRC (from SDP
 * {@code a=ssrc-group:FID} or the RID/RRID mapping) and the payload type named by the RTX payload
 * type's {@code apt} parameter.
 *
 * <p>Allocation-free: the payload moves with one {@link System#arraycopy} inside the packet's own
 * array (it handles the overlap), and the view is re-wrapped in place.
 */
public final class RtxUnwrap {
  private static final int OSN_LENGTH = 2;

  private RtxUnwrap() {}

  /**
   * The original sequence number an RTX packet carries, or -1 when its payload is shorter than
   * two bytes (a padding-only packet, which a sender uses to probe bandwidth and which carries
   * no media).
   */
  public static int originalSequenceNumber(RtpPacket rtx) {
    return rtx.payloadLength() < OSN_LENGTH ? -1 : Bytes.u16(rtx.buffer(), rtx.payloadOffset());
  }

  /**
   * Turns the RTX packet {@code rtx} views into the original packet, in its buffer, and re-wraps
   * {@code rtx} over the result.
   *
   * @param originalSsrc the SSRC of the media stream the RTX stream repairs
   * @param originalPayloadType the payload type associated with the RTX payload type (0..127)
   * @return the restored packet's length (the RTX length minus 2), or -1, changing nothing, when
   *     the packet carries no original sequence number ({@link #originalSequenceNumber} is -1)
   * @throws IllegalArgumentException for a payload type outside 0..127
   */
  public static int unwrap(RtpPacket rtx, int originalSsrc, int originalPayloadType) {
    if (originalPayloadType < 0 || originalPayloadType > 127) {
      throw new IllegalArgumentException("payload type " + originalPayloadType);
    }
    int osn = originalSequenceNumber(rtx);
    if (osn < 0) {
      return -1;
    }
    byte[] buf = rtx.buffer();
    int off = rtx.offset();
    int payload = rtx.payloadOffset();
    int length = rtx.length() - OSN_LENGTH;
    // Payload and padding; the padding count stays the last byte, so the header stays valid.
    System.arraycopy(buf, payload + OSN_LENGTH, buf, payload, off + length - payload);
    RtpHeader.setSequenceNumber(buf, off, osn);
    RtpHeader.setSsrc(buf, off, originalSsrc);
    RtpHeader.setPayloadType(buf, off, originalPayloadType);
    rtx.wrap(buf, off, length);
    return length;
  }
}
