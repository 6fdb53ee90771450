package dev.fanout.client;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.sdp.MediaKind;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A paced synthetic source for published tracks: VP8-shaped video at a bitrate and frame rate
 * (a keyframe whenever the server asks for one), and 50 packets per second of Opus-sized audio,
 * each track with a sender report about once a second (RFC 3550 §6.4.1), as a browser sends.
 * Runs on the publish connection's loop, so sending copies nothing.
 *
 * <p>Every packet carries a stamp that survives forwarding untouched: a magic number, the
 * packet's index in its track (0, 1, 2, … — loss and reordering show even though the server
 * rewrites sequence numbers) and the {@link System#nanoTime()} it was sent at (transit time, when
 * sender and receiver share a JVM). {@link #stampOffset} says where it is.
 */
public final class SyntheticMedia implements AutoCloseable {
  /** Bytes of the stamp: magic (4), packet index (8), send time (8). */
  public static final int STAMP_LENGTH = 20;
  private static final int MAGIC = 0x46414e4f; // "FANO"
  /** Video: past the 4-byte payload descriptor and the 10 bytes of a VP8 keyframe header. */
  private static final int VIDEO_STAMP_OFFSET = 4 + 10;
  /** Opus-sized audio: 160 bytes per 20 ms (64 kbit/s). */
  public static final int AUDIO_FRAME_BYTES = 160;

  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  private final LocalTrack video;
  private final LocalTrack audio;
  private final int frameBytes;
  private final int fps;
  private volatile boolean paused;
  private volatile long frames;
  private volatile long audioFrames;

  private SyntheticMedia(LocalTrack video, LocalTrack audio, long videoBitsPerSecond, int fps) {
    this.video = video;
    this.audio = audio;
    this.fps = fps;
    int bytes = (int) Math.max(64, videoBitsPerSecond / 8 / fps);
    // Every packet carries the stamp: a frame's last packet must have room for it.
    int perPacket = LocalTrack.MAX_VIDEO_PAYLOAD - 4;
    int last = bytes % perPacket;
    if (last != 0 && last < VIDEO_STAMP_OFFSET - 4 + STAMP_LENGTH) {
      bytes += VIDEO_STAMP_OFFSET - 4 + STAMP_LENGTH - last;
    }
    this.frameBytes = bytes;
  }

  /**
   * Starts sending on {@code client}'s publish loop. Either track may be null.
   *
   * @param videoBitsPerSecond e.g. 1_500_000; frames are split into packets of at most
   *     {@link LocalTrack#MAX_VIDEO_PAYLOAD} bytes of payload
   */
  public static SyntheticMedia start(FanoutClient client, LocalTrack video, LocalTrack audio,
      long videoBitsPerSecond, int fps) {
    if (fps < 1 || fps > 100) {
      throw new IllegalArgumentException("fps must be 1..100");
    }
    SyntheticMedia m = new SyntheticMedia(video, audio, videoBitsPerSecond, fps);
    EventLoop loop = client.publishLoop();
    if (video != null) {
      m.tasks.add(loop.scheduleAtFixedRate(m::videoFrame, 0, 1_000_000 / fps, TimeUnit.MICROSECONDS));
    }
    if (audio != null) {
      m.tasks.add(loop.scheduleAtFixedRate(m::audioFrame, 0, 20, TimeUnit.MILLISECONDS));
    }
    return m;
  }

  /**
   * Stops or resumes sending, as a muted browser sender does: while paused the media clock runs
   * on and nothing is sent, so sequence numbers continue and timestamps jump by the pause.
   */
  public void pause(boolean pause) {
    this.paused = pause;
  }

  private void videoFrame() {
    long ts = frames * 90000 / fps;
    frames++;
    if (paused || !video.isPublished()) {
      return;
    }
    video.sendVideoFrame(video.keyframeWanted(), frameBytes, ts, (buf, off, len, i) -> stamp(video, buf, off, len, true));
    if ((frames - 1) % fps == 0) {
      video.sendSenderReport(ts);
    }
  }

  private void audioFrame() {
    long ts = audioFrames * 960;
    audioFrames++;
    if (paused || !audio.isPublished()) {
      return;
    }
    audio.sendAudioFrame(AUDIO_FRAME_BYTES, ts, (buf, off, len, i) -> stamp(audio, buf, off, len, false));
    if ((audioFrames - 1) % 50 == 0) {
      audio.sendSenderReport(ts);
    }
  }

  private static void stamp(LocalTrack t, byte[] buf, int off, int len, boolean video) {
    int at = off + (video ? VIDEO_STAMP_OFFSET - 4 : 0);
    if (at + STAMP_LENGTH > off + len) {
      return;
    }
    Bytes.put32(buf, at, MAGIC);
    putLong(buf, at + 4, t.packetsSent());
    putLong(buf, at + 12, System.nanoTime());
  }

  /** Where the stamp starts in the RTP payload of a {@code kind} packet. */
  public static int stampOffset(MediaKind kind) {
    return kind == MediaKind.VIDEO ? VIDEO_STAMP_OFFSET : 0;
  }

  /** The packet's index in its track, or -1 when it carries no stamp. */
  public static long packetIndex(RtpPacket p, MediaKind kind) {
    return packetIndex(p.buffer(), p.payloadOffset(), p.payloadLength(), kind);
  }

  /**
   * As {@link #packetIndex(RtpPacket, MediaKind)} for a payload at {@code payloadOffset}, e.g.
   * 2 bytes into an RTX packet's payload (RFC 4588 §4: the original sequence number comes first).
   */
  public static long packetIndex(byte[] buf, int payloadOffset, int payloadLength, MediaKind kind) {
    int at = payloadOffset + stampOffset(kind);
    if (payloadLength < stampOffset(kind) + STAMP_LENGTH || Bytes.i32(buf, at) != MAGIC) {
      return -1;
    }
    return getLong(buf, at + 4);
  }

  /** The sender's {@link System#nanoTime()} when it sent the packet; valid when {@link #packetIndex} ≥ 0. */
  public static long sentNanos(RtpPacket p, MediaKind kind) {
    return getLong(p.buffer(), p.payloadOffset() + stampOffset(kind) + 12);
  }

  public long videoFrames() {
    return frames;
  }

  @Override
  public void close() {
    for (ScheduledFuture<?> f : tasks) {
      f.cancel(false);
    }
  }

  private static void putLong(byte[] b, int off, long v) {
    // big-endian, as the rest of RTP
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

}
