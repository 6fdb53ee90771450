package dev.fanout.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.sdp.Candidate;
import dev.fanout.sdp.Direction;
import dev.fanout.sdp.Fingerprint;
import dev.fanout.sdp.LocalTransport;
import dev.fanout.sdp.MediaCapabilities;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedCodec;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.NegotiatedSession;
import dev.fanout.sdp.Origin;
import dev.fanout.sdp.PublishAnswer;
import dev.fanout.sdp.PublishNegotiator;
import dev.fanout.sdp.RtpExtensionUris;
import dev.fanout.sdp.SdpParseException;
import dev.fanout.sdp.SdpParser;
import dev.fanout.sdp.SdpWriter;
import dev.fanout.sdp.SessionDescription;
import dev.fanout.sdp.SubscribeSession;
import dev.fanout.sdp.SubscribeTrack;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's SDP against the server's own negotiation code: its publish offers are what the
 * publish negotiator accepts, its subscribe answers what a subscribe session applies.
 */
class ClientSdpTest {
  private final ClientContext context = ClientContext.create();
  private final ClientTransport transport = new ClientTransport(context, "t", new ClientTransport.Listener() {
    @Override
    public void onRtp(byte[] buf, int off, int len) {}

    @Override
    public void onRtcp(byte[] buf, int off, int len) {}
  });
  private final LocalTransport server = LocalTransport.of("srvufrag", "0123456789abcdefghijklmn",
      new Fingerprint("sha-256", context.dtls().certificate().fingerprint().hex()),
      List.of(Candidate.host("1", 2130706431L, "127.0.0.1", 10000)));

  @AfterEach
  void close() {
    context.close();
  }

  @Test
  void publishOfferIsNegotiatedByTheServerWithVp8RtxOpusAndSsrcs() throws Exception {
    LocalTrack cam = LocalTrack.video("camera");
    LocalTrack mic = LocalTrack.audio("microphone");
    cam.assignMid("0");
    mic.assignMid("1");
    String offer = ClientSdp.publishOffer(7, 1, transport, context.dtls().certificate().fingerprint(), "cn", "stream",
        List.of(cam, mic), new LinkedHashSet<>(List.of(cam, mic)));
    PublishAnswer a = PublishNegotiator.buildPublishAnswer(SdpParser.parse(offer), server, MediaCapabilities.defaults(),
        Origin.of(1, 1));

    NegotiatedMedia video = a.negotiated().byMid("0").orElseThrow();
    assertThat(video.accepted()).isTrue();
    assertThat(video.kind()).isEqualTo(MediaKind.VIDEO);
    assertThat(video.codecs().get(0).name()).isEqualTo("VP8");
    assertThat(video.codecs().get(0).rtxPayloadType()).isEqualTo(ClientSdp.VP8_RTX_PT);
    assertThat(video.ssrcs()).containsExactly(Integer.toUnsignedLong(cam.ssrc()), Integer.toUnsignedLong(cam.rtxSsrc()));
    assertThat(video.extensionIds()).containsEntry(RtpExtensionUris.MID, 4);
    NegotiatedMedia audio = a.negotiated().byMid("1").orElseThrow();
    assertThat(audio.codecs().get(0).name()).isEqualToIgnoringCase("opus");
    assertThat(audio.ssrcs()).containsExactly(Integer.toUnsignedLong(mic.ssrc()));
    assertThat(a.negotiated().transport().remoteIceUfrag()).isEqualTo(transport.iceUfrag());

    String answer = SdpWriter.write(a.answer());
    assertThat(ClientSdp.acceptedPayloadType(SdpParser.parse(answer), "0", "VP8")).isEqualTo(ClientSdp.VP8_PT);
    ClientSdp.ServerTransport st = ClientSdp.serverTransport(SdpParser.parse(answer));
    assertThat(st.candidate().getPort()).isEqualTo(10000);
    assertThat(st.ufrag()).isEqualTo("srvufrag");
    assertThat(st.fingerprints()).containsExactly(context.dtls().certificate().fingerprint());
  }

  @Test
  void unpublishedTrackSectionIsInactiveWithoutSsrcs() throws Exception {
    LocalTrack cam = LocalTrack.video("camera");
    cam.assignMid("0");
    String offer = ClientSdp.publishOffer(7, 2, transport, context.dtls().certificate().fingerprint(), "cn", "stream",
        List.of(cam), new LinkedHashSet<>());
    SessionDescription sd = SdpParser.parse(offer);
    assertThat(sd.direction(sd.media().get(0))).isEqualTo(Direction.INACTIVE);
    assertThat(sd.media().get(0).ssrcs()).isEmpty();
  }

  @Test
  void subscribeAnswerIsAppliedByTheServersSessionAndDescribesTheTracks() throws Exception {
    NegotiatedSession n = subscribe(true);
    NegotiatedMedia video = n.byMid("0").orElseThrow();
    assertThat(video.direction()).isEqualTo(Direction.SENDONLY);
    assertThat(video.codecs().get(0).hasRtx()).isTrue();
    assertThat(video.ssrcs()).containsExactly(1111L, 2222L);
    assertThat(n.byMid("1").orElseThrow().direction()).isEqualTo(Direction.SENDONLY);
    assertThat(n.transport().remoteIceUfrag()).isEqualTo(transport.iceUfrag());
    assertThat(n.transport().localIsDtlsClient()).as("the client answers active").isFalse();
  }

  @Test
  void subscribeAnswerWithoutRtxLeavesTheServerPlainRetransmission() throws Exception {
    NegotiatedMedia video = subscribe(false).byMid("0").orElseThrow();
    assertThat(video.codecs().get(0).hasRtx()).isFalse();
    assertThat(video.ssrcs()).containsExactly(1111L);
  }

  private NegotiatedSession subscribe(boolean rtx) throws Exception {
    SubscribeSession session = new SubscribeSession(server, MediaCapabilities.defaults(), 9);
    NegotiatedCodec vp8 = new NegotiatedCodec(96, "VP8", 90000, 0, Map.of(), List.of("nack", "nack pli"), 97);
    NegotiatedCodec opus = new NegotiatedCodec(111, "opus", 48000, 2, Map.of("useinbandfec", "1"), List.of(), -1);
    session.addTrack(new SubscribeTrack(MediaKind.VIDEO, "s", "TR_v", "cn", 1111, 2222, List.of(vp8)));
    session.addTrack(new SubscribeTrack(MediaKind.AUDIO, "s", "TR_a", "cn", 3333, 0, List.of(opus)));
    SessionDescription offer = SdpParser.parse(SdpWriter.write(session.buildSubscribeOffer()));

    RemoteTrack v = ClientSdp.remoteTrack(offer, "0", "TR_v", "alice", rtx);
    assertThat(v.ssrc()).isEqualTo(1111);
    assertThat(v.rtxSsrc()).isEqualTo(rtx ? 2222 : 0);
    assertThat(v.codec()).isEqualTo("VP8");
    assertThat(ClientSdp.remoteTrack(offer, "1", "TR_a", "alice", rtx).ssrc()).isEqualTo(3333);

    String answer = ClientSdp.subscribeAnswer(offer, 5, 1, transport, context.dtls().certificate().fingerprint(), rtx);
    return session.applySubscribeAnswer(SdpParser.parse(answer));
  }

  @Test
  void serverSdpWithoutAUsableCandidateIsATypedError() throws Exception {
    LocalTransport noCandidates = LocalTransport.of("srvufrag", "0123456789abcdefghijklmn",
        new Fingerprint("sha-256", context.dtls().certificate().fingerprint().hex()), List.of());
    SubscribeSession session = new SubscribeSession(noCandidates, MediaCapabilities.defaults(), 9);
    session.addTrack(new SubscribeTrack(MediaKind.AUDIO, "s", "TR_a", "cn", 3333, 0,
        List.of(new NegotiatedCodec(111, "opus", 48000, 2, Map.of(), List.of(), -1))));
    SessionDescription offer = SdpParser.parse(SdpWriter.write(session.buildSubscribeOffer()));
    assertThatThrownBy(() -> ClientSdp.serverTransport(offer))
        .isInstanceOf(SdpParseException.class)
        .hasMessageContaining("no UDP candidate");
  }
}
