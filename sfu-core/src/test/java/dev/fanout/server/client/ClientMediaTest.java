package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.RemoteTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.server.client.ClientHarness.Received;
import dev.fanout.server.client.ClientHarness.Recorder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The media path end to end with the Java client: real ICE, DTLS and SRTP over loopback sockets,
 * synthetic VP8-shaped video and Opus-sized audio.
 */
class ClientMediaTest {
  private ClientHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ClientHarness();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void publishedTracksReachEverySubscriberAsGaplessStreamsFromAKeyframe() throws Exception {
    FanoutClient pub = h.join("r", "pub");
    LocalTrack cam = LocalTrack.video("camera");
    LocalTrack mic = LocalTrack.audio("microphone");
    pub.publish(cam, mic);
    try (SyntheticMedia media = SyntheticMedia.start(pub, cam, mic, 600_000, 30)) {
      List<Recorder> recorders = new ArrayList<>();
      List<RemoteTrack[]> remote = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        FanoutClient sub = h.join("r", "sub" + i);
        Recorder rec = new Recorder();
        sub.onRtp(rec);
        recorders.add(rec);
        remote.add(new RemoteTrack[] {sub.subscribe(cam.trackId()), sub.subscribe(mic.trackId())});
      }
      Thread.sleep(2000);
      for (int i = 0; i < recorders.size(); i++) {
        Recorder rec = recorders.get(i);
        List<Received> video = rec.media(cam.trackId());
        List<Received> audio = rec.media(mic.trackId());
        assertThat(video).as("video at subscriber %d", i).hasSizeGreaterThan(60);
        assertThat(audio).as("audio at subscriber %d", i).hasSizeGreaterThan(50);
        assertThat(video.get(0).keyframe()).as("first video packet starts a keyframe").isTrue();
        assertGapless(video, remote.get(i)[0].ssrc());
        assertGapless(audio, remote.get(i)[1].ssrc());
      }
    }
  }

  /** One SSRC, sequence numbers +1 each, and the sender's packet indexes +1 each (nothing lost). */
  static void assertGapless(List<Received> packets, int ssrc) {
    for (int i = 1; i < packets.size(); i++) {
      Received a = packets.get(i - 1);
      Received b = packets.get(i);
      assertThat(b.ssrc()).isEqualTo(ssrc);
      assertThat(b.seq()).as("seq after %d", a.seq()).isEqualTo((a.seq() + 1) & 0xffff);
      assertThat(b.index()).as("sender index after %d", a.index()).isEqualTo(a.index() + 1);
    }
  }
}
