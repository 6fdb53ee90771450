package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.RemoteTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.sdp.MediaKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One publisher, ten subscribers, real sockets: 1.5 Mbit/s of video in 1200-byte-class packets
 * plus 50 packets/s of audio for {@code fanout.soak.seconds} (10 s in the suite; the notes quote a
 * 60 s run), and not one packet lost, duplicated or reordered.
 */
class FanOutSoakTest {
  private static final int SECONDS = Integer.getInteger("fanout.soak.seconds", 10);
  private static final int SUBSCRIBERS = 10;

  /** Per subscriber and track: the sender's packet indexes must arrive as 0, 1, 2, … from the first. */
  static final class Tally implements FanoutClient.RtpHandler {
    final AtomicLong packets = new AtomicLong();
    final AtomicLong faults = new AtomicLong();
    final AtomicLong[] next = {new AtomicLong(-1), new AtomicLong(-1)};
    volatile long first = -1;

    @Override
    public void onRtp(RemoteTrack track, dev.fanout.rtp.RtpPacket p) {
      if (track.isRtx(p.ssrc())) {
        faults.incrementAndGet(); // a retransmission means something was lost
        return;
      }
      long index = SyntheticMedia.packetIndex(p, track.kind());
      AtomicLong expected = next[track.kind() == MediaKind.VIDEO ? 0 : 1];
      if (expected.get() >= 0 && index != expected.get()) {
        faults.incrementAndGet();
      }
      expected.set(index + 1);
      packets.incrementAndGet();
    }
  }

  @Test
  void onePublisherTenSubscribersLoseNothing() throws Exception {
    try (ClientHarness h = new ClientHarness()) {
      FanoutClient pub = h.join("soak", "pub");
      LocalTrack cam = LocalTrack.video("camera");
      LocalTrack mic = LocalTrack.audio("microphone");
      pub.publish(cam, mic);
      try (SyntheticMedia media = SyntheticMedia.start(pub, cam, mic, 1_500_000, 30)) {
        List<Tally> tallies = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
          FanoutClient sub = h.join("soak", "sub" + i);
          Tally t = new Tally();
          sub.onRtp(t);
          sub.subscribe(cam.trackId());
          sub.subscribe(mic.trackId());
          tallies.add(t);
        }
        ClientHarness.await("every subscriber receives", Duration.ofSeconds(5),
            () -> tallies.stream().allMatch(t -> t.next[0].get() >= 0 && t.next[1].get() >= 0));
        long[] startIndex = new long[SUBSCRIBERS * 2];
        for (int i = 0; i < SUBSCRIBERS; i++) {
          startIndex[2 * i] = tallies.get(i).next[0].get();
          startIndex[2 * i + 1] = tallies.get(i).next[1].get();
        }
        long sentBefore = cam.packetsSent() + mic.packetsSent();
        long t0 = System.nanoTime();
        Thread.sleep(SECONDS * 1000L);
        media.close();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long sent = cam.packetsSent() + mic.packetsSent() - sentBefore;
        Thread.sleep(500); // the last packets in flight
        long received = 0;
        long faults = 0;
        for (int i = 0; i < SUBSCRIBERS; i++) {
          Tally t = tallies.get(i);
          received += t.next[0].get() - startIndex[2 * i] + t.next[1].get() - startIndex[2 * i + 1];
          faults += t.faults.get();
          assertThat(t.next[0].get()).as("subscriber %d got the last video packet", i).isEqualTo(cam.packetsSent());
          assertThat(t.next[1].get()).as("subscriber %d got the last audio packet", i).isEqualTo(mic.packetsSent());
        }
        System.out.printf("1 publisher -> %d subscribers for %.1f s: published %d packets (%.0f pps), "
                + "forwarded %d in order, lost/reordered/retransmitted %d%n",
            SUBSCRIBERS, elapsed, sent, sent / elapsed, received, faults);
        assertThat(faults).as("packets lost, reordered or retransmitted").isZero();
        assertThat(received).as("every subscriber got every packet published in the window")
            .isGreaterThanOrEqualTo(sent * SUBSCRIBERS);
      }
    }
  }
}
