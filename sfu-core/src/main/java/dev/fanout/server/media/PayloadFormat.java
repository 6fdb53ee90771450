package dev.fanout.server.media;

import dev.fanout.rtp.codec.H264Payload;
import dev.fanout.rtp.codec.Vp8Descriptor;
import dev.fanout.rtp.codec.Vp9Descriptor;
import java.util.Locale;

/**
 * How to read a codec's RTP payload, chosen per payload type when a track is negotiated, so no
 * packet is ever matched by codec name. Only what forwarding needs: whether a packet starts a
 * keyframe.
 */
enum PayloadFormat {
  VP8,
  VP9,
  H264,
  /** AV1 RTP payload format §4.4: the aggregation header's N bit starts a coded video sequence. */
  AV1,
  /** Audio, or a video codec with nothing to parse: every packet may start a picture. */
  OPAQUE,
  /** A payload type the publisher did not negotiate. */
  UNKNOWN;

  static PayloadFormat of(String codecName) {
    return switch (codecName.toUpperCase(Locale.ROOT)) {
      case "VP8" -> VP8;
      case "VP9" -> VP9;
      case "H264" -> H264;
      case "AV1" -> AV1;
      default -> OPAQUE;
    };
  }

  /** The stateful payload-header parsers one producer reuses for every packet. */
  static final class Parsers {
    private final Vp8Descriptor vp8 = new Vp8Descriptor();
    private final Vp9Descriptor vp9 = new Vp9Descriptor();
    private final H264Payload h264 = new H264Payload();

    /** Whether the payload {@code buf[off, off+len)} of this format starts a keyframe. */
    boolean startsKeyframe(PayloadFormat format, byte[] buf, int off, int len) {
      if (len <= 0) {
        return false;
      }
      try {
        return switch (format) {
          case VP8 -> vp8.parse(buf, off, len).isKeyFrame();
          case VP9 -> vp9.parse(buf, off, len).isKeyFrame();
          case H264 -> h264.parse(buf, off, len).isKeyFrame();
          case AV1 -> (buf[off] & 0x08) != 0;
          case OPAQUE -> true; // nothing to parse: do not hold back
          case UNKNOWN -> false;
        };
      } catch (RuntimeException e) {
        return false; // a malformed payload header starts nothing
      }
    }
  }
}
