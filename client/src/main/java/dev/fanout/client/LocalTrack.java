package dev.fanout.client;

import dev.fanout.rtp.RtpWriter;
import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.rtp.rtcp.SenderReport;
import dev.fanout.sdp.MediaKind;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A track the client publishes: one sendonly media section of the publish connection with its
 * own SSRC (and an RTX SSRC for video), sending synthetic RTP — VP8-shaped video
 * ({@link #sendVideoFrame}) or Opus-sized audio ({@link #sendAudioFrame}) — or any payload the
 * caller builds ({@link #sendPayload}).
 *
 * <p>Sending is thread-safe; it is cheapest on {@link FanoutClient#publishLoop()}, where nothing
 * is copied.
 */
public final class LocalTrack {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Largest RTP payload {@link #sendVideoFrame} puts in one packet (1200-byte class packets). */
  public static final int MAX_VIDEO_PAYLOAD = 1188;

  private final MediaKind kind;
  private final String source;
  private final int ssrc;
  private final int rtxSsrc;
  private final String msidTrack = UUID.randomUUID().toString();
  private final AtomicBoolean keyframeRequested = new AtomicBoolean(true);
  private final byte[] packet = new byte[1500];
  private final RtpWriter header = new RtpWriter();
  private final byte[] payload = new byte[MAX_VIDEO_PAYLOAD];

  // Set by FanoutClient when published.
  private volatile String mid;
  private volatile String trackId;
  private volatile int payloadType = -1;
  private volatile ClientTransport transport;
  private volatile boolean published;

  private int sequence = RANDOM.nextInt(0x8000);
  private long sent;
  private long octetsSent;
  private int pictureId = RANDOM.nextInt(0x8000);

  private LocalTrack(MediaKind kind, String source) {
    this.kind = kind;
    this.source = Objects.requireNonNull(source);
    this.ssrc = RANDOM.nextInt() | 1;
    this.rtxSsrc = kind == MediaKind.VIDEO ? (RANDOM.nextInt() | 1) ^ 2 : 0;
  }

  /** A video track, e.g. {@code video("camera")}: VP8 with RTX. */
  public static LocalTrack video(String source) {
    return new LocalTrack(MediaKind.VIDEO, source);
  }

  /** An audio track, e.g. {@code audio("microphone")}: Opus. */
  public static LocalTrack audio(String source) {
    return new LocalTrack(MediaKind.AUDIO, source);
  }

  public MediaKind kind() {
    return kind;
  }

  public String source() {
    return source;
  }

  public int ssrc() {
    return ssrc;
  }

  /** The RTX SSRC (RFC 4588), 0 for audio. */
  public int rtxSsrc() {
    return rtxSsrc;
  }

  String msidTrack() {
    return msidTrack;
  }

  /** The {@code a=mid} of its publish section, null before the first publish. */
  public String mid() {
    return mid;
  }

  /** The server's id for the track while published, else null. */
  public String trackId() {
    return trackId;
  }

  public boolean isPublished() {
    return published;
  }

  /** The payload type the server's answer accepted (VP8 or Opus), -1 before. */
  public int payloadType() {
    return payloadType;
  }

  /** RTP packets sent so far. */
  public synchronized long packetsSent() {
    return sent;
  }

  /** The sequence number the next packet gets. */
  public synchronized int nextSequenceNumber() {
    return sequence & 0xffff;
  }

  void assignMid(String mid) {
    this.mid = mid;
  }

  void published(String trackId, int payloadType, ClientTransport transport) {
    this.trackId = trackId;
    this.payloadType = payloadType;
    this.transport = transport;
    this.published = true;
    this.keyframeRequested.set(true);
  }

  void unpublished() {
    this.published = false;
    this.trackId = null;
  }

  /** The server asked for a keyframe (PLI or FIR); the next video frame will be one. */
  void keyframeRequested() {
    keyframeRequested.set(true);
  }

  /**
   * Whether a keyframe was asked for since the last keyframe was sent (initially true): a
   * synthetic source sends its next frame as a keyframe when this says so.
   */
  public boolean keyframeWanted() {
    return keyframeRequested.get();
  }

  /**
   * Sends one RTP packet with the next sequence number. Returns false when nothing was sent (not
   * published, transport not connected).
   */
  public synchronized boolean sendPayload(byte[] payload, int off, int len, boolean marker, long rtpTimestamp) {
    ClientTransport t = transport;
    if (!published || t == null || len > packet.length - 12) {
      return false;
    }
    int n = header.marker(marker).payloadType(payloadType).sequenceNumber(sequence)
        .timestamp(rtpTimestamp & 0xffffffffL).ssrc(ssrc).payload(payload, off, len).write(packet, 0);
    if (!t.sendRtp(packet, 0, n)) {
      return false;
    }
    sequence = (sequence + 1) & 0xffff;
    sent++;
    octetsSent += len;
    return true;
  }

  /**
   * Sends a sender report (RFC 3550 §6.4.1): the wall-clock time now as NTP, the RTP timestamp
   * that corresponds to it, and the packets and payload octets sent so far. The server needs one
   * to send its own sender reports to subscribers. Returns false when nothing was sent.
   */
  public synchronized boolean sendSenderReport(long rtpTimestamp) {
    ClientTransport t = transport;
    if (!published || t == null) {
      return false;
    }
    byte[] b = RtcpCompound.toByteArray(List.of(new SenderReport(ssrc, ntp(Instant.now()), rtpTimestamp, sent,
        octetsSent, List.of())));
    return t.sendRtcp(b, 0, b.length);
  }

  /** {@code t} as a 64-bit NTP timestamp: seconds since 1900 in the upper 32 bits, their fraction below. */
  private static long ntp(Instant t) {
    long seconds = t.getEpochSecond() + 2_208_988_800L;
    long fraction = ((long) t.getNano() << 32) / 1_000_000_000L;
    return seconds << 32 | fraction;
  }

  /**
   * Sends one VP8-shaped frame of {@code frameBytes} bytes (RFC 7741: a payload descriptor with
   * a 15-bit picture id, S=1 on the frame's first packet, the VP8 header's P bit clear on a
   * keyframe), split into packets of at most {@link #MAX_VIDEO_PAYLOAD} bytes, marker on the
   * last. {@code fill} writes the frame's bytes after the descriptor of each packet (may be null:
   * zeros). Returns the packets sent.
   */
  public synchronized int sendVideoFrame(boolean keyframe, int frameBytes, long rtpTimestamp, PayloadFiller fill) {
    if (kind != MediaKind.VIDEO) {
      throw new IllegalStateException("not a video track");
    }
    if (keyframe) {
      keyframeRequested.set(false);
    }
    byte[] p = payload;
    int descriptor = 4;
    int perPacket = MAX_VIDEO_PAYLOAD - descriptor;
    int packets = Math.max(1, (frameBytes + perPacket - 1) / perPacket);
    int remaining = Math.max(frameBytes, 1);
    int id = pictureId = (pictureId + 1) & 0x7fff;
    int sentPackets = 0;
    for (int i = 0; i < packets; i++) {
      int n = Math.min(perPacket, remaining);
      remaining -= n;
      p[0] = (byte) (0x80 | (i == 0 ? 0x10 : 0)); // X, S (partition 0)
      p[1] = (byte) 0x80; // I: picture id present
      p[2] = (byte) (0x80 | (id >> 8)); // M: 15-bit picture id
      p[3] = (byte) id;
      java.util.Arrays.fill(p, descriptor, descriptor + n, (byte) 0);
      if (fill != null) {
        fill.fill(p, descriptor, n, i);
      }
      if (i == 0) {
        // VP8 frame header (RFC 6386 §9.1): bit 0 of the first byte is 0 for a keyframe; a
        // keyframe carries the start code 9d 01 2a.
        p[descriptor] = (byte) ((p[descriptor] & 0xfe) | (keyframe ? 0 : 1));
        if (keyframe && n >= 6) {
          p[descriptor + 3] = (byte) 0x9d;
          p[descriptor + 4] = (byte) 0x01;
          p[descriptor + 5] = (byte) 0x2a;
        }
      }
      if (sendPayload(p, 0, descriptor + n, i == packets - 1, rtpTimestamp)) {
        sentPackets++;
      }
    }
    return sentPackets;
  }

  /** Sends one Opus-sized audio packet (one 20 ms frame of {@code bytes} bytes). */
  public synchronized boolean sendAudioFrame(int bytes, long rtpTimestamp, PayloadFiller fill) {
    if (kind != MediaKind.AUDIO) {
      throw new IllegalStateException("not an audio track");
    }
    int n = Math.max(1, Math.min(bytes, payload.length));
    java.util.Arrays.fill(payload, 0, n, (byte) 0);
    if (fill != null) {
      fill.fill(payload, 0, n, 0);
    }
    return sendPayload(payload, 0, n, false, rtpTimestamp);
  }

  /** Writes frame bytes into a packet being built. */
  @FunctionalInterface
  public interface PayloadFiller {
    /** Fill {@code buf[off, off+len)}; {@code packetIndex} counts the frame's packets from 0. */
    void fill(byte[] buf, int off, int len, int packetIndex);
  }

  @Override
  public String toString() {
    return kind.sdpName() + "/" + source + (trackId != null ? " " + trackId : "") + " ssrc=" + Integer.toUnsignedString(ssrc);
  }
}
