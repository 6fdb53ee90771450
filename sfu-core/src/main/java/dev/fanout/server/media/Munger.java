package dev.fanout.server.media;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.HeaderExtensions;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.RtpExtensionUris;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Writes a publisher's packet as one subscriber's section expects it: the subscriber's SSRC,
 * payload type, sequence number and timestamp, and a header extension block rebuilt for that
 * subscriber (RFC 8285). Rebuilding, not patching ids in place, is what makes the values right:
 *
 * <ul>
 *   <li>MID carries the subscriber's mid (RFC 9143 §14). The publisher's mid names a section of
 *       the publish connection; a browser that receives it routes the packet into whatever
 *       section of its own has that mid, often one of another kind, and the track never plays.
 *   <li>The transport-wide sequence number is the subscriber transport's own, one counter for
 *       everything sent on it (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), so the
 *       subscriber's feedback describes this link, not the publisher's.
 *   <li>abs-send-time is this server's send time.
 *   <li>RID and repaired RID are dropped: the subscriber's section has no simulcast.
 *   <li>Every other element the subscriber negotiated (audio level, dependency descriptor, video
 *       orientation) is copied with the subscriber's id; the rest is dropped.
 * </ul>
 *
 * The one-byte form is used when every element fits it, else the two-byte form (the subscribe
 * offer carries {@code a=extmap-allow-mixed}). No allocation per packet. Not thread-safe: one
 * per subscription, on the room's loop.
 */
final class Munger {
  private static final int NONE = 0;
  /** abs-send-time wraps every 64 s (6.18 fixed point seconds). */
  private static final long AST_PERIOD_NANOS = 64_000_000_000L;

  /** Publisher extension id → subscriber id for elements copied as they are; 0 drops it. */
  private final int[] copyIds = new int[256];
  private int midId = NONE;
  private byte[] mid = new byte[0];
  private int transportSeqId = NONE;
  private int absSendTimeId = NONE;
  private final HeaderExtensions elements = new HeaderExtensions();

  /** Learns both sides' extension ids from the publisher's and the subscriber's negotiation. */
  void negotiated(NegotiatedMedia publisher, NegotiatedMedia subscriber, String subscriberMid) {
    Arrays.fill(copyIds, NONE);
    Map<String, Integer> out = subscriber.extensionIds();
    for (Map.Entry<String, Integer> e : publisher.extensionIds().entrySet()) {
      Integer id = out.get(e.getKey());
      if (id != null && copied(e.getKey()) && e.getValue() > 0 && e.getValue() < 256) {
        copyIds[e.getValue()] = id;
      }
    }
    midId = id(subscriber, RtpExtensionUris.MID);
    mid = subscriberMid.getBytes(StandardCharsets.US_ASCII);
    transportSeqId = id(subscriber, RtpExtensionUris.TRANSPORT_WIDE_CC);
    absSendTimeId = id(subscriber, RtpExtensionUris.ABS_SEND_TIME);
  }

  private static boolean copied(String uri) {
    return !uri.equals(RtpExtensionUris.MID) && !uri.equals(RtpExtensionUris.RID)
        && !uri.equals(RtpExtensionUris.REPAIRED_RID) && !uri.equals(RtpExtensionUris.TRANSPORT_WIDE_CC)
        && !uri.equals(RtpExtensionUris.ABS_SEND_TIME);
  }

  private static int id(NegotiatedMedia m, String uri) {
    OptionalInt id = m.extensionId(uri);
    return id.isPresent() ? id.getAsInt() : NONE;
  }

  /** Whether the subscriber's section stamps transport-wide sequence numbers. */
  boolean stampsTransportSeq() {
    return transportSeqId != NONE;
  }

  /**
   * Writes {@code in} rewritten into {@code dst} from offset 0 and returns the length, or -1 when
   * it would not leave {@code reserve} bytes free at the end of {@code dst} (room for SRTP).
   *
   * @param transportSeq the subscriber transport's next transport-wide sequence number (used only
   *     when {@link #stampsTransportSeq()})
   */
  int write(RtpPacket in, byte[] dst, int reserve, int payloadType, int seq, long timestamp, int ssrc,
      int transportSeq, long nowNanos) {
    byte[] src = in.buffer();
    int fixed = 12 + 4 * in.csrcCount();
    int profile = in.extensionProfile();
    boolean rfc8285 = HeaderExtensions.isRfc8285(profile);
    // Pass 1: does any element need the two-byte form?
    boolean twoByte = midId > HeaderExtensions.ONE_BYTE_MAX_ID || transportSeqId > HeaderExtensions.ONE_BYTE_MAX_ID
        || absSendTimeId > HeaderExtensions.ONE_BYTE_MAX_ID || mid.length > HeaderExtensions.ONE_BYTE_MAX_LENGTH;
    int elementBytes = 0;
    int count = 0;
    if (rfc8285) {
      elements.reset(src, in.extensionDataOffset(), in.extensionDataOffset() + in.extensionDataLength(), profile);
      while (elements.next()) {
        int to = copyIds[elements.id()];
        if (to == NONE) {
          continue;
        }
        int n = elements.valueLength();
        if (to > HeaderExtensions.ONE_BYTE_MAX_ID || n == 0 || n > HeaderExtensions.ONE_BYTE_MAX_LENGTH) {
          twoByte = true;
        }
        elementBytes += n;
        count++;
      }
    }
    if (midId != NONE) {
      elementBytes += mid.length;
      count++;
    }
    if (transportSeqId != NONE) {
      elementBytes += 2;
      count++;
    }
    if (absSendTimeId != NONE) {
      elementBytes += 3;
      count++;
    }
    int blockData = count == 0 ? 0 : (elementBytes + count * (twoByte ? 2 : 1) + 3) & ~3;
    int header = fixed + (count == 0 ? 0 : 4 + blockData);
    int tail = in.offset() + in.length() - in.payloadOffset(); // payload and padding
    int length = header + tail;
    if (length > dst.length - reserve) {
      return -1;
    }

    System.arraycopy(src, in.offset(), dst, 0, fixed);
    int at = fixed;
    if (count > 0) {
      int outProfile = twoByte ? HeaderExtensions.TWO_BYTE_PROFILE : HeaderExtensions.ONE_BYTE_PROFILE;
      Bytes.put16(dst, at, outProfile);
      Bytes.put16(dst, at + 2, blockData >>> 2); // length in 32-bit words
      at += 4;
      int end = at + blockData;
      if (midId != NONE) {
        at = element(dst, at, twoByte, midId, mid.length);
        System.arraycopy(mid, 0, dst, at, mid.length);
        at += mid.length;
      }
      if (transportSeqId != NONE) {
        at = element(dst, at, twoByte, transportSeqId, 2);
        Bytes.put16(dst, at, transportSeq);
        at += 2;
      }
      if (absSendTimeId != NONE) {
        long ast = (Math.floorMod(nowNanos, AST_PERIOD_NANOS) << 18) / 1_000_000_000L;
        at = element(dst, at, twoByte, absSendTimeId, 3);
        Bytes.put24(dst, at, (int) ast);
        at += 3;
      }
      if (rfc8285) {
        elements.reset(src, in.extensionDataOffset(), in.extensionDataOffset() + in.extensionDataLength(), profile);
        while (elements.next()) {
          int to = copyIds[elements.id()];
          if (to == NONE) {
            continue;
          }
          int n = elements.valueLength();
          at = element(dst, at, twoByte, to, n);
          System.arraycopy(src, elements.valueOffset(), dst, at, n);
          at += n;
        }
      }
      while (at < end) {
        dst[at++] = 0; // RFC 8285 §4.2: padding between and after elements
      }
      dst[0] |= 0x10;
    } else {
      dst[0] &= (byte) ~0x10;
    }
    System.arraycopy(src, in.payloadOffset(), dst, at, tail);
    dst[1] = (byte) ((src[in.offset() + 1] & 0x80) | payloadType);
    Bytes.put16(dst, 2, seq);
    Bytes.put32(dst, 4, (int) timestamp);
    Bytes.put32(dst, 8, ssrc);
    return length;
  }

  /** Writes an element header (RFC 8285 §4.2 one-byte, §4.3 two-byte); returns the value offset. */
  private static int element(byte[] dst, int at, boolean twoByte, int id, int length) {
    if (twoByte) {
      dst[at] = (byte) id;
      dst[at + 1] = (byte) length;
      return at + 2;
    }
    dst[at] = (byte) (id << 4 | (length - 1));
    return at + 1;
  }
}
