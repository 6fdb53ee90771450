package dev.fanout.server.media;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.HeaderExtensions;
import dev.fanout.rtp.RtpFormatException;
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
 * offer carries {@code a=extmap-allow-mixed}).
 *
 * <p>Which elements the output block holds, where, and in which form depends only on which
 * elements the publisher's block carries, with which lengths, where, and on the two
 * negotiations; not on the values. So the rebuilt block is kept as a layout: the output block's
 * bytes with the MID value and every element header in place, where the transport-wide sequence
 * number and abs-send-time go, and which source values are copied where. A packet whose source
 * block has the same structure (profile, length, and every byte that is not inside an element's
 * value: element headers and padding) as the one the layout was built from reuses it, and costs
 * one copy of the block plus the values; any other packet builds a new layout first. A publisher
 * sends the same elements on almost every packet of a stream, so the layout is rebuilt rarely.
 *
 * <p>No allocation per packet. Not thread-safe: one per subscription, on the room's loop.
 */
final class Munger {
  private static final int NONE = 0;
  /** abs-send-time wraps every 64 s (6.18 fixed point seconds). */
  private static final long AST_PERIOD_NANOS = 64_000_000_000L;
  /**
   * Most structural bytes (element headers, padding) a layout remembers of its source block; a
   * block with more is rebuilt for every packet (correct, only slower).
   */
  static final int MAX_KEY_BYTES = 64;

  /** Publisher extension id → subscriber id for elements copied as they are; 0 drops it. */
  private final int[] copyIds = new int[256];
  private int midId = NONE;
  private byte[] mid = new byte[0];
  private int transportSeqId = NONE;
  private int absSendTimeId = NONE;
  private final HeaderExtensions elements = new HeaderExtensions();
  /** The subscriber's own elements (MID, transport-wide sequence, abs-send-time): count, value bytes, form. */
  private int ownCount;
  private int ownBytes;
  private boolean ownTwoByte;

  // ---- the layout of the last source block seen ----------------------------------------------
  /** Whether the fields below describe a source block a packet may be compared with. */
  private boolean layoutValid;
  /** The source block's profile, or -1 for a packet without RFC 8285 elements. */
  private int keyProfile;
  /** The source block's data length (after its 4-byte header); 0 without RFC 8285 elements. */
  private int keyLength;
  private int keyCount;
  /** Offsets, from the source block's data, of its structural bytes, and their values. */
  private final int[] keyAt = new int[MAX_KEY_BYTES];
  private final byte[] keyValue = new byte[MAX_KEY_BYTES];
  /** The output block, its 4-byte header included; {@link #blockLength} 0 when it has no element. */
  private byte[] block = new byte[64];
  private int blockLength;
  /** Offsets in {@link #block} of the transport-wide sequence number and abs-send-time, or -1. */
  private int transportSeqAt = -1;
  private int absSendTimeAt = -1;
  /**
   * Copied values, four ints each: offset of the value in the source block's data, its length,
   * the subscriber's id (while the layout is built), its offset in {@link #block}.
   */
  private int[] copies = new int[4 * 8];
  private int copyCount;

  /** Learns both sides' extension ids from the publisher's and the subscriber's negotiation. */
  void negotiated(NegotiatedMedia publisher, NegotiatedMedia subscriber, String subscriberMid) {
    layoutValid = false;
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
    ownCount = 0;
    ownBytes = 0;
    ownTwoByte = false;
    own(midId, mid.length);
    own(transportSeqId, 2);
    own(absSendTimeId, 3);
  }

  private void own(int id, int length) {
    if (id != NONE) {
      ownCount++;
      ownBytes += length;
      ownTwoByte |= needsTwoByte(id, length);
    }
  }

  private static boolean needsTwoByte(int id, int length) {
    return id > HeaderExtensions.ONE_BYTE_MAX_ID || length == 0 || length > HeaderExtensions.ONE_BYTE_MAX_LENGTH;
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

  /** The abs-send-time value (6.18 fixed point seconds, 24 bits) of {@code nowNanos}. */
  static int absSendTime(long nowNanos) {
    return (int) ((Math.floorMod(nowNanos, AST_PERIOD_NANOS) << 18) / 1_000_000_000L);
  }

  /**
   * Writes {@code in} rewritten into {@code dst} from offset 0 and returns the length, or -1 when
   * it would not leave {@code reserve} bytes free at the end of {@code dst} (room for SRTP).
   *
   * @param transportSeq the subscriber transport's next transport-wide sequence number (used only
   *     when {@link #stampsTransportSeq()})
   * @param absSendTime this server's send time, as {@link #absSendTime(long)} gives it
   * @throws RtpFormatException when the source's extension block is malformed
   */
  int write(RtpPacket in, byte[] dst, int reserve, int payloadType, int seq, long timestamp, int ssrc,
      int transportSeq, int absSendTime) {
    byte[] src = in.buffer();
    if (!layoutFits(in, src)) {
      layout(in, src);
    }
    int off = in.offset();
    int fixed = 12 + ((src[off] & 0x0f) << 2);
    int payload = in.payloadOffset();
    int tail = off + in.length() - payload; // payload and padding
    int n = blockLength;
    int length = fixed + n + tail;
    if (length > dst.length - reserve) {
      return -1;
    }
    System.arraycopy(src, off, dst, 0, fixed);
    if (n > 0) {
      System.arraycopy(block, 0, dst, fixed, n);
      if (transportSeqAt >= 0) {
        Bytes.put16(dst, fixed + transportSeqAt, transportSeq);
      }
      if (absSendTimeAt >= 0) {
        Bytes.put24(dst, fixed + absSendTimeAt, absSendTime);
      }
      int from = in.extensionDataOffset();
      int[] c = copies;
      for (int k = 0, end = 4 * copyCount; k < end; k += 4) {
        System.arraycopy(src, from + c[k], dst, fixed + c[k + 3], c[k + 1]);
      }
      dst[0] |= 0x10;
    } else {
      dst[0] &= (byte) ~0x10;
    }
    System.arraycopy(src, payload, dst, fixed + n, tail);
    dst[1] = (byte) ((src[off + 1] & 0x80) | payloadType);
    Bytes.put16(dst, 2, seq);
    Bytes.put32(dst, 4, (int) timestamp);
    Bytes.put32(dst, 8, ssrc);
    return length;
  }

  /** Whether the layout was built from a source block of the same structure as {@code in}'s. */
  private boolean layoutFits(RtpPacket in, byte[] src) {
    if (!layoutValid) {
      return false;
    }
    int profile = in.extensionProfile();
    if (!HeaderExtensions.isRfc8285(profile)) {
      return keyProfile == -1;
    }
    if (profile != keyProfile || in.extensionDataLength() != keyLength) {
      return false;
    }
    int start = in.extensionDataOffset();
    for (int k = 0, n = keyCount; k < n; k++) {
      if (src[start + keyAt[k]] != keyValue[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Builds the layout for {@code in}'s extension block, walking its elements with {@link
   * HeaderExtensions}, and remembers the block's structure — every byte outside an element's
   * value: element headers, padding, and whatever follows a one-byte id 15 (RFC 8285 §4.2, §4.3)
   * — unless it has more than {@link #MAX_KEY_BYTES} such bytes.
   */
  private void layout(RtpPacket in, byte[] src) {
    layoutValid = false;
    int profile = in.extensionProfile();
    boolean rfc8285 = HeaderExtensions.isRfc8285(profile);
    keyProfile = rfc8285 ? profile : -1;
    keyLength = rfc8285 ? in.extensionDataLength() : 0;
    keyCount = 0;
    copyCount = 0;
    boolean cacheable = true;
    boolean twoByte = ownTwoByte;
    int count = ownCount;
    int elementBytes = ownBytes;
    if (rfc8285) {
      int start = in.extensionDataOffset();
      int end = start + keyLength;
      int structural = start; // first byte not yet known to be inside a value
      elements.reset(src, start, end, profile);
      while (elements.next()) {
        cacheable &= keyRange(src, start, structural, elements.valueOffset());
        int n = elements.valueLength();
        structural = elements.valueOffset() + n;
        int to = copyIds[elements.id()];
        if (to != NONE) {
          addCopy(elements.valueOffset() - start, n, to);
          twoByte |= needsTwoByte(to, n);
          elementBytes += n;
          count++;
        }
      }
      cacheable &= keyRange(src, start, structural, end);
    }
    buildBlock(count, elementBytes, twoByte);
    layoutValid = cacheable;
  }

  /** Remembers the bytes {@code [from, to)} of the block starting at {@code start}; false when there is no room. */
  private boolean keyRange(byte[] src, int start, int from, int to) {
    boolean fits = true;
    for (int at = from; at < to; at++) {
      fits &= key(at - start, src[at] & 0xff);
    }
    return fits;
  }

  /** Remembers one structural byte of the source block; false when there is no room. */
  private boolean key(int at, int value) {
    if (keyCount == MAX_KEY_BYTES) {
      return false;
    }
    keyAt[keyCount] = at;
    keyValue[keyCount] = (byte) value;
    keyCount++;
    return true;
  }

  private void addCopy(int from, int length, int to) {
    if (4 * copyCount == copies.length) {
      copies = Arrays.copyOf(copies, 2 * copies.length);
    }
    int k = 4 * copyCount++;
    copies[k] = from;
    copies[k + 1] = length;
    copies[k + 2] = to;
  }

  /** Writes the output block: the subscriber's own elements, then the copied ones, then padding. */
  private void buildBlock(int count, int elementBytes, boolean twoByte) {
    transportSeqAt = -1;
    absSendTimeAt = -1;
    if (count == 0) {
      blockLength = 0;
      return;
    }
    int data = (elementBytes + count * (twoByte ? 2 : 1) + 3) & ~3;
    blockLength = 4 + data;
    if (block.length < blockLength) {
      block = new byte[Math.max(blockLength, 2 * block.length)];
    }
    byte[] b = block;
    Arrays.fill(b, 0, blockLength, (byte) 0); // RFC 8285 §4.2: padding between and after elements
    Bytes.put16(b, 0, twoByte ? HeaderExtensions.TWO_BYTE_PROFILE : HeaderExtensions.ONE_BYTE_PROFILE);
    Bytes.put16(b, 2, data >>> 2); // length in 32-bit words
    int at = 4;
    if (midId != NONE) {
      at = element(b, at, twoByte, midId, mid.length);
      System.arraycopy(mid, 0, b, at, mid.length);
      at += mid.length;
    }
    if (transportSeqId != NONE) {
      at = element(b, at, twoByte, transportSeqId, 2);
      transportSeqAt = at;
      at += 2;
    }
    if (absSendTimeId != NONE) {
      at = element(b, at, twoByte, absSendTimeId, 3);
      absSendTimeAt = at;
      at += 3;
    }
    for (int k = 0, end = 4 * copyCount; k < end; k += 4) {
      at = element(b, at, twoByte, copies[k + 2], copies[k + 1]);
      copies[k + 3] = at;
      at += copies[k + 1];
    }
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
