package dev.fanout.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.client.FanoutClient;
import dev.fanout.client.LocalTrack;
import dev.fanout.client.SyntheticMedia;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.testkit.link.LinkEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A publisher that cannot repair what its uplink lost (the Java client does not answer NACKs
 * unless told to): once the server gives the packets up, every subscriber's picture is broken
 * there, so the server asks the publisher for a keyframe itself instead of waiting for each
 * subscriber to ask after its own NACKs ran out.
 */
class UnrecoverableLossTest {
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void packetsThePublisherNeverRepairsMakeTheServerAskForAKeyframe() throws Exception {
    try (ClientHarness h = new ClientHarness();
        LinkEmulator link = LinkEmulator.to(h.server.mediaAddress()).seed(7).start()) {
      FanoutClient pub = h.joinVia(link.address(), "r", "pub");
      LocalTrack cam = LocalTrack.video("camera");
      List<Long> plis = Collections.synchronizedList(new ArrayList<>());
      pub.onPublishRtcp((buf, off, len) -> {
        for (var p : RtcpCompound.parse(buf, off, len)) {
          if (p instanceof PictureLossIndication pli && pli.mediaSsrc() == cam.ssrc()) {
            plis.add(System.nanoTime());
          }
        }
      });
      pub.publish(cam);
      try (SyntheticMedia media = SyntheticMedia.start(pub, cam, null, 600_000, 30)) {
        // Nobody subscribes: no keyframe request has another reason.
        ClientHarness.await("the publisher's packets at the server", T,
            () -> h.server.rooms().existing("r") != null && link.up().stats().packetsForwarded() > 60);
        int before = plis.size();
        long lossStarted = System.nanoTime();
        link.up().loss(0.3);
        ClientHarness.await("the link lost some of the publisher's packets", T, () -> link.up().stats().lostRandom() >= 5);
        link.up().loss(0);
        ClientHarness.await("a keyframe request after the loss", T, () -> plis.size() > before);
        assertThat(plis.get(before)).isGreaterThan(lossStarted);
      }
    }
  }
}
