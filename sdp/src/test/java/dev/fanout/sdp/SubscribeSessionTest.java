package dev.fanout.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SubscribeSessionTest {

    private NegotiatedSession published;
    private SubscribeSession session;

    @BeforeEach
    void setUp() throws Exception {
        published = PublishNegotiatorTest.answer(SdpResources.PUBLISH_OFFER).negotiated();
        session = new SubscribeSession(PublishNegotiatorTest.LOCAL, MediaCapabilities.defaults(), 7);
    }

    private SubscribeTrack audioTrack() {
        NegotiatedMedia p = published.byMid("0").orElseThrow();
        return new SubscribeTrack(MediaKind.AUDIO, "alice", "alice-mic", "fanout-alice", 1111, -1, p.codecs());
    }

    private SubscribeTrack videoTrack(String id, long ssrc) {
        NegotiatedMedia p = published.byMid("1").orElseThrow();
        return new SubscribeTrack(MediaKind.VIDEO, "alice", id, "fanout-alice", ssrc, ssrc + 1, p.codecs());
    }

    /** What a browser answers: the same sections, recvonly, codecs and extensions echoed, setup active. */
    static SessionDescription browserAnswer(SessionDescription offer) {
        SessionDescription.Builder b = SessionDescription.builder().standardHeader(Origin.of(99, 1));
        offer.bundleGroup().ifPresent(g -> b.line(g.line()));
        for (MediaDescription m : offer.media()) {
            MediaDescription.Builder mb = MediaDescription.builder(m.mediaLine().withPort(m.isRejected() ? 0 : 9))
                    .connection("0.0.0.0");
            if (!m.isRejected()) {
                mb.attribute("ice-ufrag", "bRwS").attribute("ice-pwd", "browserpasswordbrowserp")
                        .attribute("fingerprint", "sha-256 01:02:03:04")
                        .attribute("setup", "active");
            }
            mb.attribute("mid", m.mid().orElseThrow());
            m.extmaps().forEach(e -> mb.line(e.line()));
            mb.attribute(m.isRejected() ? "inactive" : "recvonly");
            for (SdpLine l : m.lines()) {
                if (l.isAttribute("rtcp-mux") || l.isAttribute("rtpmap") || l.isAttribute("fmtp") || l.isAttribute("rtcp-fb")) {
                    mb.line(l);
                }
            }
            b.media(mb.build());
        }
        return b.build();
    }

    @Test
    void offerHasOneSendonlySectionPerTrackWithSsrcsAndRtxGroup() {
        String audioMid = session.addTrack(audioTrack());
        String videoMid = session.addTrack(videoTrack("alice-cam", 2222));
        SessionDescription offer = session.buildSubscribeOffer();

        assertThat(offer.iceLite()).isTrue();
        assertThat(offer.bundleGroup().orElseThrow().mids()).containsExactly(audioMid, videoMid);
        MediaDescription video = offer.mediaByMid(videoMid).orElseThrow();
        assertThat(video.direction()).isEqualTo(Direction.SENDONLY);
        assertThat(video.setup()).contains(Setup.ACTPASS);
        assertThat(video.iceUfrag()).contains("srvU");
        assertThat(video.msids()).containsExactly(new Msid("alice", "alice-cam"));
        assertThat(video.ssrcGroups()).containsExactly(new SsrcGroup("FID", List.of(2222L, 2223L)));
        assertThat(video.ssrcAttributes()).contains(new SsrcAttribute(2222, "cname", "fanout-alice"),
                new SsrcAttribute(2223, "msid", "alice alice-cam"));
        // The producer's numbers were free, so the server kept them.
        assertThat(video.mediaLine().payloadTypes()).startsWith(96, 97, 102, 103);
        assertThat(video.extmaps()).extracting(Extmap::uri).doesNotContain(RtpExtensionUris.RID)
                .contains(RtpExtensionUris.MID, RtpExtensionUris.TRANSPORT_WIDE_CC,
                        RtpExtensionUris.DEPENDENCY_DESCRIPTOR, RtpExtensionUris.VIDEO_ORIENTATION);
        // A forwarded dependency descriptor may need the two-byte form (RFC 8285 §6).
        assertThat(offer.hasAttribute("extmap-allow-mixed")).isTrue();
        MediaDescription audio = offer.mediaByMid(audioMid).orElseThrow();
        assertThat(audio.mediaLine().payloadTypes()).containsExactly(111, 63);
        assertThat(audio.fmtp(63).orElseThrow().parameterText()).isEqualTo("111/111");
        assertThat(audio.ssrcGroups()).isEmpty();
    }

    @Test
    void answerYieldsNegotiatedSectionsAndTheRemappingIsExposed() throws Exception {
        session.addTrack(audioTrack());
        String videoMid = session.addTrack(videoTrack("alice-cam", 2222));
        SessionDescription offer = session.buildSubscribeOffer();
        NegotiatedSession n = session.applySubscribeAnswer(browserAnswer(offer));

        assertThat(n.transport().remoteSetup()).isEqualTo(Setup.ACTIVE);
        assertThat(n.transport().localSetup()).isEqualTo(Setup.PASSIVE);
        assertThat(n.transport().remoteIceUfrag()).isEqualTo("bRwS");
        NegotiatedMedia video = n.byMid(videoMid).orElseThrow();
        assertThat(video.accepted()).isTrue();
        assertThat(video.direction()).isEqualTo(Direction.SENDONLY);
        assertThat(video.rtxPayloadTypes()).containsEntry(96, 97);
        assertThat(video.ssrcs()).containsExactly(2222L, 2223L);
        assertThat(video.extensionIds()).containsEntry(RtpExtensionUris.MID, 4);

        NegotiatedMedia producer = published.byMid("1").orElseThrow();
        assertThat(RtpMapping.payloadTypes(producer, video)).containsEntry(96, 96).containsEntry(97, 97);
        assertThat(RtpMapping.extensionIds(producer, video)).containsEntry(4, 4).doesNotContainKey(10);
    }

    @Test
    void chromiumStyleAnswerWithChangedIdsAndDroppedRtxIsHonoured() throws Exception {
        String mid = session.addTrack(videoTrack("cam", 5000));
        SessionDescription offer = session.buildSubscribeOffer();
        String answerText = SdpWriter.write(browserAnswer(offer))
                .replace("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid")
                .replaceFirst("m=video 9 UDP/TLS/RTP/SAVPF 96 97 ", "m=video 9 UDP/TLS/RTP/SAVPF 96 ");
        NegotiatedMedia video = session.applySubscribeAnswer(SdpParser.parse(answerText)).byMid(mid).orElseThrow();
        assertThat(video.extensionIds()).containsEntry(RtpExtensionUris.MID, 9);
        assertThat(video.codec(96).orElseThrow().hasRtx()).isFalse();
        assertThat(video.codec(102).orElseThrow().hasRtx()).isTrue();
        NegotiatedMedia producer = published.byMid("1").orElseThrow();
        assertThat(RtpMapping.payloadTypes(producer, video)).containsEntry(96, 96).doesNotContainKey(97);
        assertThat(RtpMapping.extensionIds(producer, video)).containsEntry(4, 9);
    }

    @Test
    void takenPayloadTypesAreRemappedAndTheMapSaysSo() throws Exception {
        // A second producer whose VP9 uses 96, the number VP8 already holds in this session.
        session.addTrack(videoTrack("cam", 100));
        NegotiatedCodec vp9 = new NegotiatedCodec(96, "VP9", 90000, 0, java.util.Map.of("profile-id", "0"),
                List.of("nack"), 97);
        NegotiatedMedia producer = new NegotiatedMedia("0", MediaKind.VIDEO, true, Direction.RECVONLY, List.of(vp9),
                java.util.Map.of(), List.of(), List.of(), List.of(), null, null, null);
        String mid = session.addTrack(new SubscribeTrack(MediaKind.VIDEO, "bob", "bob-cam", "bob", 300, 301, List.of(vp9)));
        SessionDescription offer = session.buildSubscribeOffer();
        assertThat(offer.mediaByMid(mid).orElseThrow().mediaLine().payloadTypes()).containsExactly(98, 99);
        NegotiatedMedia consumer = session.applySubscribeAnswer(browserAnswer(offer)).byMid(mid).orElseThrow();
        assertThat(RtpMapping.payloadTypes(producer, consumer)).containsEntry(96, 98).containsEntry(97, 99);
    }

    @Test
    void removedTrackStaysAsAnInactiveBundledSectionAndANewTrackGetsANewSection() throws Exception {
        String a = session.addTrack(audioTrack());
        String v = session.addTrack(videoTrack("cam", 10));
        session.applySubscribeAnswer(browserAnswer(session.buildSubscribeOffer()));

        session.removeTrack(v);
        SessionDescription second = session.buildSubscribeOffer();
        assertThat(second.media()).hasSize(2);
        MediaDescription removed = second.media().get(1);
        assertThat(removed.port()).isNotZero();
        assertThat(removed.mid()).contains(v);
        assertThat(second.direction(removed)).isEqualTo(Direction.INACTIVE);
        assertThat(removed.ssrcs()).isEmpty();
        assertThat(second.bundleGroup().orElseThrow().mids()).containsExactly(a, v);
        NegotiatedSession n = session.applySubscribeAnswer(browserAnswer(second));
        assertThat(n.byMid(v).orElseThrow().accepted()).isFalse();

        String v2 = session.addTrack(videoTrack("cam2", 20));
        SessionDescription third = session.buildSubscribeOffer();
        assertThat(third.media()).hasSize(3);
        assertThat(v2).isNotEqualTo(v);
        assertThat(third.media().get(2).mid()).contains(v2);
        assertThat(third.direction(third.media().get(1))).isEqualTo(Direction.INACTIVE);
        assertThat(Long.parseLong(third.origin().sessionVersion())).isGreaterThan(Long.parseLong(second.origin().sessionVersion()));
    }

    @Test
    void slotIsNotReusedBeforeTheRemovalIsAnswered() {
        session.addTrack(audioTrack());
        String v = session.addTrack(videoTrack("cam", 10));
        session.buildSubscribeOffer();
        session.removeTrack(v);
        session.addTrack(videoTrack("cam2", 20));
        assertThat(session.buildSubscribeOffer().media()).hasSize(3);
    }

    @Test
    void answerWithoutOfferOrWithWrongSectionsIsRefused() throws Exception {
        SessionDescription other = SdpResources.parse(SdpResources.SUBSCRIBE_ANSWER);
        assertThatThrownBy(() -> session.applySubscribeAnswer(other)).isInstanceOf(SdpNegotiationException.class);
        session.addTrack(audioTrack());
        session.buildSubscribeOffer();
        assertThatThrownBy(() -> session.applySubscribeAnswer(other))
                .isInstanceOf(SdpNegotiationException.class)
                .hasMessageContaining("media sections");
    }

    @Test
    void answerWithActpassIsRefused() throws Exception {
        session.addTrack(audioTrack());
        SessionDescription offer = session.buildSubscribeOffer();
        SessionDescription bad = SdpParser.parse(SdpWriter.write(browserAnswer(offer)).replace("a=setup:active", "a=setup:actpass"));
        assertThatThrownBy(() -> session.applySubscribeAnswer(bad)).isInstanceOf(SdpNegotiationException.class)
                .hasMessageContaining("actpass");
    }

    @Test
    void capturedChromiumAnswerToAPeerOfferNegotiates() throws Exception {
        // The Chromium answer was produced against a browser offer with the same codec numbering
        // that Chromium publishers use; the session's offer mirrors it closely enough for the
        // answer to apply section by section.
        SessionDescription chromiumAnswer = SdpResources.parse(SdpResources.SUBSCRIBE_ANSWER);
        session.addTrack(audioTrack());
        session.addTrack(videoTrack("cam", 10));
        session.buildSubscribeOffer();
        NegotiatedSession n = session.applySubscribeAnswer(chromiumAnswer);
        assertThat(n.accepted()).hasSize(2);
        assertThat(n.transport().remoteSetup()).isEqualTo(Setup.ACTIVE);
        NegotiatedMedia video = n.byMid("1").orElseThrow();
        assertThat(video.codecs()).extracting(NegotiatedCodec::name).contains("VP8", "H264", "VP9", "AV1");
        assertThat(video.codec(96).orElseThrow().feedback()).contains("nack", "nack pli", "ccm fir");
        assertThat(n.byMid("0").orElseThrow().codecs()).extracting(NegotiatedCodec::name).containsExactly("opus", "red");
    }
}
