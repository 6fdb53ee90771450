package dev.fanout.server.media;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedCodec;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.RtpMapping;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One subscription: a producer's track sent to one subscriber as a stream of the subscriber's
 * own. Three parts, as in LiveKit's DownTrack and mediasoup's SimpleConsumer/SimulcastConsumer:
 *
 * <ul>
 *   <li>forwarder: which receive stream (layer) feeds the subscriber; it keeps forwarding the
 *       current layer until the producer's target layer sends a keyframe, then switches there,
 *       so a switch never shows a broken picture; {@link #pause} says why nothing flows;
 *   <li>{@link StreamRewriter} and {@link Munger}: continuous sequence numbers and timestamps
 *       across switches, and the subscriber's SSRC, payload types, MID and header extensions;
 *   <li>{@link Sequencer}: which source packet each outgoing sequence number carried, so a NACK
 *       after a switch is answered with the right packet (as RTX when negotiated, RFC 4588).
 * </ul>
 *
 * The shared packet is never modified: each send writes a rewritten copy into the subscriber
 * transport's send buffer and encrypts it there. Lives on the room's loop.
 */
public final class DownTrack {
  /** Why a down track forwards nothing right now. */
  enum Pause {
    NONE,
    /** The subscriber's answer has not negotiated the section yet, or its transport is not up. */
    NOT_NEGOTIATED,
    /** Video waits for a keyframe of the layer it switches to. */
    WAITING_FOR_KEYFRAME,
    CLOSED
  }

  /** Room SRTP needs after a packet, with margin. */
  private static final int SRTP_RESERVE = 64;
  /** Reported loss (RFC 3550 fraction, /256) from which a repair is sent twice: 2 %. */
  static final int REDUNDANT_REPAIR_LOSS = 5;

  private final Producer producer;
  private final RtpSink sink;
  private final MediaStats stats;
  private final String mid;
  private final int ssrc;
  private final int rtxSsrc;
  private final StreamRewriter rewriter;
  private final Munger munger = new Munger();
  private final Sequencer sequencer = new Sequencer(1024);
  private final RtpPacket out = new RtpPacket();
  private final RtpPacket cached = new RtpPacket();
  /** Producer payload type → subscriber payload type (-1: not negotiated). */
  private final int[] payloadTypes = new int[128];
  /** Producer payload type → subscriber RTX payload type (-1: no RTX). */
  private final int[] rtxPayloadTypes = new int[128];
  private Producer.Layer current;
  private Pause pause = Pause.NOT_NEGOTIATED;
  private boolean negotiated;
  private int rtxSeq;
  /** The fraction lost of the subscriber's last receiver report for this track, /256. */
  private int reportedLoss;
  private long packetsSent;
  private long octetsSent;
  /** What {@link #publishCounts} has added to {@link MediaStats} so far. */
  private long packetsPublished;
  private long octetsPublished;
  /**
   * The last two sender reports sent: their compact NTP time (the LSR a receiver report echoes)
   * and when they left, for the round trip (RFC 3550 §6.4.1). Two, as a report may answer the
   * previous SR while the latest is still on its way.
   */
  private final long[] srCompact = new long[2];
  private final long[] srSentNanos = new long[2];
  private boolean closed;
  /** Whether {@link #close} ran (a producer's end closes a down track before its subscriber does). */
  private boolean released;


  DownTrack(Producer producer, RtpSink sink, String mid, int ssrc, int rtxSsrc, MediaStats stats) {
    this.producer = producer;
    this.stats = stats;
    stats.subscriptionsOpened.increment();
    this.sink = sink;
    this.mid = mid;
    this.ssrc = ssrc;
    this.rtxSsrc = rtxSsrc;
    this.rewriter = new StreamRewriter(producer.clockRate());
    Arrays.fill(payloadTypes, -1);
    Arrays.fill(rtxPayloadTypes, -1);
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

  Pause pause() {
    return pause;
  }

  /** Applies the subscriber's answer for this section: payload types and header extensions. */
  void negotiated(NegotiatedMedia consumerMedia) {
    NegotiatedMedia producerMedia = producer.media();
    Arrays.fill(payloadTypes, -1);
    Arrays.fill(rtxPayloadTypes, -1);
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
    munger.negotiated(producerMedia, consumerMedia, mid);
    negotiated = true;
  }

  /** Forwards one packet of one of the producer's layers. Its bytes must not be modified. */
  void forward(IngressPacket packet) {
    RtpPacket in = packet.rtp;
    Producer.Layer layer = packet.layer;
    long nowNanos = packet.arrivalNanos;
    if (closed || !negotiated || !sink.ready()) {
      pause = closed ? Pause.CLOSED : Pause.NOT_NEGOTIATED;
      return;
    }
    int pt = payloadTypes[in.payloadType()];
    if (pt < 0) {
      return;
    }
    if (layer != current) {
      if (layer != producer.target()) {
        return; // another layer than the one forwarded or switched to
      }
      if (producer.kind() == MediaKind.VIDEO && !packet.keyframe()) {
        pause = current == null ? Pause.WAITING_FOR_KEYFRAME : pause;
        producer.requestKeyframe(nowNanos);
        return;
      }
      if (current != null) {
        rewriter.switchSource();
      }
      current = layer;
    }
    if (pause != Pause.NONE) {
      pause = Pause.NONE; // a read, not a reference store with its barrier, per packet
    }
    if (!rewriter.rewrite(in.sequenceNumber(), in.timestamp(), nowNanos)) {
      return;
    }
    int outSeq = rewriter.outSeq();
    long outTs = rewriter.outTimestamp();
    if (send(in, pt, outSeq, outTs, nowNanos) > 0) {
      sequencer.record(outSeq, layer, in.sequenceNumber(), outTs);
      packetsSent++;
      octetsSent += in.payloadLength();
    }
  }

  /**
   * The producer forwarded nothing for a while on purpose (an administrator's mute): the next
   * packet continues the outgoing sequence where it stopped, its timestamp advanced by the time
   * that passed, as at a layer switch, so the subscriber counts nothing lost and NACKs nothing
   * the server never sent; video waits for a keyframe, so no frame that refers to a dropped one
   * reaches the decoder.
   */
  void resumeAfterGap() {
    rewriter.switchSource();
    if (producer.kind() == MediaKind.VIDEO) {
      current = null;
    }
  }

  /** Rewrites {@code in} into the transport's send buffer and sends it; the length, or -1. */
  private int send(RtpPacket in, int pt, int outSeq, long outTs, long nowNanos) {
    RtpSink transport = sink;
    byte[] buf = transport.sendBuffer();
    int tseq = munger.stampsTransportSeq() ? transport.nextTransportSeq() : 0;
    int len = munger.write(in, buf, SRTP_RESERVE, pt, outSeq, outTs, ssrc, tseq, producer.absSendTime(nowNanos));
    if (len < 0) {
      return -1;
    }
    if (munger.stampsTransportSeq()) {
      transport.sent(tseq, len, nowNanos);
    }
    return transport.sendRtp(buf, 0, len) ? len : -1;
  }

  /**
   * A report block of the subscriber about this track (RFC 3550 §6.4.1): the fraction of the
   * packets sent to it that its link lost, over the report's interval, before any repair, decides
   * how repairs are sent; that, its jitter and the round trip go to the metrics.
   */
  void onReceiverReport(ReportBlock block, long nowNanos) {
    reportedLoss = block.fractionLost();
    MediaStats.Reports metrics = stats.reports();
    metrics.subscriberReport(producer.kind(), block.fractionLost() / 256.0,
        (double) block.jitter() / producer.clockRate());
    long rtt = roundTripNanos(block.lastSr(), block.delaySinceLastSr(), nowNanos);
    if (rtt >= 0) {
      metrics.roundTrip(rtt / 1e9);
    }
  }

  /**
   * The round trip a report block shows (RFC 3550 §6.4.1: arrival − LSR − DLSR), from when the
   * sender report it answers left by this server's clock; -1 without an LSR or for an SR this
   * down track no longer remembers. A DLSR rounded up (1/65536 s units) can make a loopback
   * round trip come out below zero: it counts as 0.
   */
  private long roundTripNanos(long lastSr, long delaySinceLastSr, long nowNanos) {
    if (lastSr == 0) {
      return -1;
    }
    for (int i = 0; i < srCompact.length; i++) {
      if (srCompact[i] == lastSr) {
        return Math.max(0, nowNanos - srSentNanos[i] - delaySinceLastSr * 1_000_000_000L / 65536);
      }
    }
    return -1;
  }

  /**
   * Answers a NACK for {@code outSeq} with the packet that sequence number carried, wherever it
   * came from: as RTX (RFC 4588) when negotiated, else as a plain retransmission. On a link that
   * reports {@link #REDUNDANT_REPAIR_LOSS} or more, the repair goes twice: a receive-only browser
   * cannot measure its round trip, so it asks again only after 100 ms, and a lost repair would
   * cost the picture that long; sent twice, a repair is lost with the square of the loss rate.
   */
  void retransmit(int outSeq, long nowNanos) {
    if (closed || !negotiated || !sink.ready()) {
      return;
    }
    if (sendRepair(outSeq, nowNanos) && reportedLoss >= REDUNDANT_REPAIR_LOSS) {
      sendRepair(outSeq, nowNanos);
    }
  }

  /** Sends one repair of {@code outSeq}; whether it went out. */
  private boolean sendRepair(int outSeq, long nowNanos) {
    Producer.Layer layer = sequencer.layer(outSeq);
    if (layer == null) {
      return false;
    }
    RtpSink transport = sink;
    byte[] scratch = transport.repairBuffer();
    int len = layer.copyCached(sequencer.inSeq(outSeq), scratch, nowNanos);
    if (len < 0) {
      return false;
    }
    try {
      cached.wrap(scratch, 0, len);
    } catch (RuntimeException e) {
      return false;
    }
    int inPt = cached.payloadType();
    int pt = payloadTypes[inPt];
    if (pt < 0) {
      return false;
    }
    int rtxPt = rtxPayloadTypes[inPt];
    byte[] buf = transport.sendBuffer();
    int tseq = munger.stampsTransportSeq() ? transport.nextTransportSeq() : 0;
    len = munger.write(cached, buf, SRTP_RESERVE + 2, pt, outSeq, sequencer.timestamp(outSeq), ssrc, tseq,
        producer.absSendTime(nowNanos));
    if (len < 0) {
      return false;
    }
    if (rtxPt >= 0 && rtxSsrc != 0) {
      // RFC 4588 §4: the RTX packet's payload is the original sequence number, then the original
      // payload (its padding dropped).
      out.wrap(buf, 0, len);
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
    if (munger.stampsTransportSeq()) {
      transport.sent(tseq, len, nowNanos);
    }
    if (!transport.sendRtp(buf, 0, len)) {
      return false;
    }
    stats.repairsSent.increment();
    return true;
  }

  /** A sender report for this stream, from the current layer's clock (RFC 3550 §6.4.1). */
  SenderReport senderReport(long nowNanos, long[] scratch) {
    Producer.Layer l = current;
    if (l == null || !rewriter.started() || !l.senderClock(nowNanos, scratch)) {
      return null;
    }
    SenderReport sr = new SenderReport(ssrc, scratch[0], rewriter.outputTimestampOf(scratch[1]),
        packetsSent, octetsSent, List.of());
    srCompact[1] = srCompact[0];
    srSentNanos[1] = srSentNanos[0];
    srCompact[0] = sr.compactNtp();
    srSentNanos[0] = nowNanos;
    return sr;
  }

  /**
   * Adds the packets and payload octets forwarded since the last call to the server's counters,
   * from the fields the sender reports carry; called on the loop once a second (the sender-report
   * tick) and when the down track closes. Why not per packet: see {@link Producer#publishCounts}.
   */
  void publishCounts() {
    if (packetsSent != packetsPublished) {
      stats.forwarded(producer.kind(), packetsSent - packetsPublished, octetsSent - octetsPublished);
      packetsPublished = packetsSent;
      octetsPublished = octetsSent;
    }
  }

  void producerClosed() {
    closed = true;
    pause = Pause.CLOSED;
  }

  void close() {
    if (!released) {
      released = true;
      publishCounts(); // the last packets (a closed down track sends none), before it stops counting as open
      stats.subscriptionsClosed.increment();
    }
    closed = true;
    pause = Pause.CLOSED;
    producer.removeDownTrack(this);
  }
}
