package dev.fanout.server.media;

import dev.fanout.rtp.RtpPacket;

/**
 * What is learnt about a received packet, once, for every down track it goes to: its receive
 * stream (layer), arrival time, extended sequence number, its payload format and — worked out on first need, then remembered — whether it starts a keyframe.
 * One instance per producer, refilled for each packet (nothing is allocated per packet); valid
 * only while the producer hands the packet out.
 */
final class IngressPacket {
  private final PayloadFormat.Parsers parsers;
  RtpPacket rtp;
  Producer.Layer layer;
  long arrivalNanos;
  long extendedSeq;
  PayloadFormat format;
  /** -1 not looked at yet, else 0 or 1. */
  private int keyframe;

  IngressPacket(PayloadFormat.Parsers parsers) {
    this.parsers = parsers;
  }

  void fill(RtpPacket rtp, Producer.Layer layer, long arrivalNanos, PayloadFormat format) {
    this.rtp = rtp;
    this.layer = layer;
    this.arrivalNanos = arrivalNanos;
    // This packet's own extended number, from the highest so far (it may be older: a repair).
    long highest = layer.sequence.extendedHighest();
    this.extendedSeq = highest + (short) (rtp.sequenceNumber() - (int) (highest & 0xffff));
    this.format = format;
    this.keyframe = -1;
  }

  /** Whether the packet starts a keyframe; parsed at most once however many down tracks ask. */
  boolean keyframe() {
    if (keyframe < 0) {
      keyframe = parsers.startsKeyframe(format, rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength()) ? 1 : 0;
    }
    return keyframe == 1;
  }
}
