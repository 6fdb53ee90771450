package dev.fanout.server.media;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.codec.H264Payload;
import dev.fanout.rtp.codec.Vp8Descriptor;
import dev.fanout.rtp.codec.Vp9Descriptor;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedCodec;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.RtpMapping;
import java.util.List;
import java.util.Map;

/**
 * One subscription: forwards a producer's packets to one subscriber, rewritten into the
 * subscriber's own stream (SSRC, continuous sequence numbers and timestamps, its payload types
 * and header extension ids). The shared packet is never modified: each send copies it into the
 * subscriber transport's send buffer, rewrites and encrypts there. Lives on the room's loop.
 */
public final class Consumer {
  private final Producer producer;
  private final ParticipantMedia subscriber;
  private final String mid;
  private final int ssrc;
  private final int rtxSsrc;
  private final StreamRewriter rewriter;
  private final RtpPacket out = new RtpPacket();
  /** Producer payload type → subscriber payload type (-1: not negotiated). */
  private final int[] payloadTypes = new int[128];
  /** Producer payload type → subscriber RTX payload type (-1: no RTX). */
  private final int[] rtxPayloadTypes = new int[128];
  /** Producer extension id → subscriber id, or a never-negotiated id the receiver ignores. */
  private final int[] extensionIds = new int[256];
  private boolean negotiated;
  private boolean waitingForKeyframe;
  private int rtxSeq;
  private long packetsSent;
  private long octetsSent;
  private boolean closed;

  private final Vp8Descriptor vp8 = new Vp8Descriptor();
  private final Vp9Descriptor vp9 = new Vp9Descriptor();
  private final H264Payload h264 = new H264Payload();

  Consumer(Producer producer, ParticipantMedia subscriber, String mid, int ssrc, int rtxSsrc) {
    this.producer = producer;
    this.subscriber = subscriber;
    this.mid = mid;
    this.ssrc = ssrc;
    this.rtxSsrc = rtxSsrc;
    this.rewriter = new StreamRewriter(producer.clockRate());
    java.util.Arrays.fill(payloadTypes, -1);
    java.util.Arrays.fill(rtxPayloadTypes, -1);
    this.waitingForKeyframe = producer.kind() == MediaKind.VIDEO;
  }

  public String mid() {
    return mid;
  }

  public int ssrc() {
    return ssrc;
  }

  public Producer producer() {
    return producer;
  }

  /** Applies the subscriber's answer for this section: payload type and extension id maps. */
  void negotiated(NegotiatedMedia consumerMedia) {
    NegotiatedMedia producerMedia = producer.media();
    java.util.Arrays.fill(payloadTypes, -1);
    java.util.Arrays.fill(rtxPayloadTypes, -1);
    for (Map.Entry<Integer, Integer> e : RtpMapping.payloadTypes(producerMedia, consumerMedia).entrySet()) {
      if (e.getKey() < 128 && e.getValue() < 128) {
        payloadTypes[e.getKey()] = e.getValue();
      }
    }
    for (NegotiatedCodec c : consumerMedia.codecs()) {
      if (c.hasRtx()) {
        for (int p = 0; p < 128; p++) {
          if (payloadTypes[p] == c.payloadType()) {
            rtxPayloadTypes[p] = c.rtxPayloadType();
          }
        }
      }
    }
    Map<Integer, Integer> ids = RtpMapping.extensionIds(producerMedia, consumerMedia);
    int unused = unusedId(consumerMedia);
    for (int i = 0; i < extensionIds.length; i++) {
      Integer mapped = ids.get(i);
      extensionIds[i] = mapped != null ? mapped : unused;
    }
    negotiated = true;
  }

  /** An extension id the subscriber did not negotiate: RFC 8285 receivers ignore it. */
  private static int unusedId(NegotiatedMedia consumerMedia) {
    for (int id = 14; id >= 1; id--) {
      if (!consumerMedia.extensionIds().containsValue(id)) {
        return id;
      }
    }
    return 14;
  }

  /** The next packet comes from another source (layer switch): keep the stream continuous. */
  void switchSource() {
    rewriter.switchSource();
    if (producer.kind() == MediaKind.VIDEO) {
      waitingForKeyframe = true;
    }
  }

  /** Forwards one packet of the producer. {@code in} must not be modified. */
  void forward(RtpPacket in, long nowNanos) {
    if (closed || !negotiated || !subscriber.subscribeConnected()) {
      return;
    }
    int pt = payloadTypes[in.payloadType()];
    if (pt < 0) {
      return;
    }
    if (waitingForKeyframe) {
      if (!isKeyframe(in)) {
        producer.requestKeyframe(nowNanos);
        return;
      }
      waitingForKeyframe = false;
    }
    if (!rewriter.rewrite(in.sequenceNumber(), in.timestamp(), nowNanos)) {
      return;
    }
    WebRtcTransport transport = subscriber.subscribeTransport();
    byte[] buf = transport.sendBuffer();
    int len = in.length();
    System.arraycopy(in.buffer(), in.offset(), buf, 0, len);
    rewrite(buf, len, pt, rewriter.outSeq(), rewriter.outTimestamp(), ssrc);
    packetsSent++;
    octetsSent += in.payloadLength();
    transport.sendRtp(buf, 0, len);
  }

  /**
   * Answers a NACK for {@code outSeq} from the cache: as RTX (RFC 4588) when negotiated, else as
   * a plain retransmission of the same packet.
   */
  void retransmit(int outSeq, long nowNanos) {
    if (closed || !negotiated || !subscriber.subscribeConnected()) {
      return;
    }
    int inSeq = rewriter.inputSeqOf(outSeq);
    WebRtcTransport transport = subscriber.subscribeTransport();
    byte[] buf = transport.sendBuffer();
    int len = producer.copyCached(inSeq, buf, nowNanos);
    if (len < 0) {
      return;
    }
    try {
      out.wrap(buf, 0, len);
    } catch (RuntimeException e) {
      return;
    }
    int inPt = out.payloadType();
    int pt = payloadTypes[inPt];
    if (pt < 0) {
      return;
    }
    long outTs = rewriter.outputTimestampOf(out.timestamp());
    rewrite(buf, len, pt, outSeq, outTs, ssrc);
    int rtxPt = rtxPayloadTypes[inPt];
    if (rtxPt >= 0 && rtxSsrc != 0) {
      // RFC 4588 §4: RTX header, then the original sequence number, then the original payload
      // (without padding).
      int payload = out.payloadOffset();
      int end = payload + out.payloadLength();
      System.arraycopy(buf, payload, buf, payload + 2, end - payload);
      buf[payload] = (byte) (outSeq >> 8);
      buf[payload + 1] = (byte) outSeq;
      buf[0] &= (byte) ~0x20;
      len = end + 2;
      out.wrap(buf, 0, len);
      out.setPayloadType(rtxPt).setSsrc(rtxSsrc).setSequenceNumber(rtxSeq++ & 0xffff);
    }
    transport.sendRtp(buf, 0, len);
  }

  private void rewrite(byte[] buf, int len, int pt, int seq, long ts, int outSsrc) {
    out.wrap(buf, 0, len);
    out.setPayloadType(pt).setSequenceNumber(seq).setTimestamp(ts).setSsrc(outSsrc);
    remapExtensionIds(out.buffer(), out.extensionProfile(), out.extensionDataOffset(),
        out.extensionDataOffset() + out.extensionDataLength());
  }

  /** Rewrites RFC 8285 element ids in place; lengths do not change, so nothing moves. */
  private void remapExtensionIds(byte[] b, int profile, int from, int to) {
    if (profile == 0xBEDE) {
      int i = from;
      while (i < to) {
        int id = (b[i] & 0xf0) >>> 4;
        if (id == 0) {
          i++;
          continue;
        }
        if (id == 15) {
          return;
        }
        int len = (b[i] & 0x0f) + 1;
        b[i] = (byte) (extensionIds[id] << 4 | (b[i] & 0x0f));
        i += 1 + len;
      }
    } else if ((profile & 0xfff0) == 0x1000) {
      int i = from;
      while (i + 1 < to) {
        int id = b[i] & 0xff;
        if (id == 0) {
          i++;
          continue;
        }
        int len = b[i + 1] & 0xff;
        b[i] = (byte) extensionIds[id];
        i += 2 + len;
      }
    }
  }

  private boolean isKeyframe(RtpPacket p) {
    NegotiatedCodec codec = producer.codec(p.payloadType());
    if (codec == null || p.payloadLength() == 0) {
      return false;
    }
    try {
      return switch (codec.name().toUpperCase(java.util.Locale.ROOT)) {
        case "VP8" -> vp8.parse(p.buffer(), p.payloadOffset(), p.payloadLength()).isKeyFrame();
        case "VP9" -> vp9.parse(p.buffer(), p.payloadOffset(), p.payloadLength()).isKeyFrame();
        case "H264" -> h264.parse(p.buffer(), p.payloadOffset(), p.payloadLength()).isKeyFrame();
        default -> true; // no descriptor parsed here (AV1 uses an extension): do not hold back
      };
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A sender report for this stream, if the producer's clock is known (RFC 3550 §6.4.1). */
  SenderReport senderReport(long nowNanos, long[] scratch) {
    if (!rewriter.started() || !producer.senderClock(nowNanos, scratch)) {
      return null;
    }
    return new SenderReport(ssrc, scratch[0], rewriter.outputTimestampOf(scratch[1]),
        packetsSent, octetsSent, List.of());
  }

  void producerClosed() {
    closed = true;
  }

  void close() {
    closed = true;
    producer.removeConsumer(this);
  }
}
