package dev.fanout.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PublishNegotiatorTest {

    static final Fingerprint SERVER_FP = new Fingerprint("sha-256",
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
    static final LocalTransport LOCAL = LocalTransport.of("srvU", "serverpasswordserverpass", SERVER_FP,
            List.of(Candidate.host("1", 2130706431L, "127.0.0.1", 10000)));

    static PublishAnswer answer(String resource) throws Exception {
        return PublishNegotiator.buildPublishAnswer(SdpResources.parse(resource), LOCAL,
                MediaCapabilities.defaults(), Origin.of(42, 1));
    }

    @Test
    void chromiumAudioVideoOfferIsAcceptedWithTheOffersPayloadTypes() throws Exception {
        PublishAnswer a = answer(SdpResources.PUBLISH_OFFER);
        NegotiatedSession n = a.negotiated();
        assertThat(n.accepted()).hasSize(2);

        NegotiatedMedia audio = n.byMid("0").orElseThrow();
        assertThat(audio.kind()).isEqualTo(MediaKind.AUDIO);
        assertThat(audio.direction()).isEqualTo(Direction.RECVONLY);
        assertThat(audio.codecs()).extracting(NegotiatedCodec::name).containsExactly("opus", "red");
        assertThat(audio.codec(111).orElseThrow().feedback()).containsExactly("transport-cc");
        assertThat(audio.codec(63).orElseThrow().parameters()).containsKey("111/111");
        assertThat(audio.extensionIds()).containsEntry(RtpExtensionUris.SSRC_AUDIO_LEVEL, 1)
                .containsEntry(RtpExtensionUris.ABS_SEND_TIME, 2)
                .containsEntry(RtpExtensionUris.TRANSPORT_WIDE_CC, 3)
                .containsEntry(RtpExtensionUris.MID, 4)
                .hasSize(4);
        assertThat(audio.ssrcs()).containsExactly(4044471789L);
        assertThat(audio.cname()).isEqualTo("AMTZPc/x9oZPKJye");
        assertThat(audio.msid().streamId()).isEqualTo("004917f4-e777-43d4-b143-ce9ec7d1df1a");

        NegotiatedMedia video = n.byMid("1").orElseThrow();
        assertThat(video.codecs()).extracting(NegotiatedCodec::payloadType)
                .containsExactly(96, 102, 108, 116, 45, 98, 100);
        assertThat(video.rtxPayloadTypes()).containsEntry(96, 97).containsEntry(102, 103)
                .containsEntry(108, 109).containsEntry(45, 46).containsEntry(98, 99).containsEntry(100, 101);
        assertThat(video.codec(96).orElseThrow().feedback())
                .containsExactly("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");
        assertThat(video.extensionIds()).containsEntry(RtpExtensionUris.MID, 4)
                .containsEntry(RtpExtensionUris.RID, 10)
                .containsEntry(RtpExtensionUris.REPAIRED_RID, 11)
                .doesNotContainKey("urn:ietf:params:rtp-hdrext:toffset");
    }

    @Test
    void unsupportedFormatsAreLeftOutOfTheAnswer() throws Exception {
        NegotiatedMedia video = answer(SdpResources.PUBLISH_OFFER).negotiated().byMid("1").orElseThrow();
        // packetization-mode=0 H.264 (104, 114, 39), video RED and ULPFEC are not accepted.
        assertThat(video.codecs()).extracting(NegotiatedCodec::payloadType).doesNotContain(104, 114, 39, 118, 120);
        NegotiatedMedia audio = answer(SdpResources.PUBLISH_OFFER).negotiated().byMid("0").orElseThrow();
        assertThat(audio.codecs()).extracting(NegotiatedCodec::name).doesNotContain("G722", "PCMU", "telephone-event");
    }

    @Test
    void answerCarriesIceLiteCredentialsFingerprintPassiveSetupAndBundle() throws Exception {
        SessionDescription answer = answer(SdpResources.PUBLISH_OFFER).answer();
        assertThat(answer.iceLite()).isTrue();
        // The offer allows mixed one- and two-byte extension elements, so the answer does too.
        assertThat(answer.hasAttribute("extmap-allow-mixed")).isTrue();
        assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1");
        for (MediaDescription m : answer.media()) {
            assertThat(m.iceUfrag()).contains("srvU");
            assertThat(m.icePwd()).contains("serverpasswordserverpass");
            assertThat(m.fingerprints()).containsExactly(SERVER_FP);
            assertThat(m.setup()).contains(Setup.PASSIVE);
            assertThat(m.direction()).isEqualTo(Direction.RECVONLY);
            assertThat(m.rtcpMux()).isTrue();
            assertThat(m.candidates()).hasSize(1);
            assertThat(m.endOfCandidates()).isTrue();
            assertThat(m.port()).isEqualTo(10000);
        }
        MediaDescription video = answer.mediaByMid("1").orElseThrow();
        assertThat(video.mediaLine().formats()).containsExactly(
                "96", "97", "102", "103", "108", "109", "116", "117", "45", "46", "98", "99", "100", "101");
        assertThat(video.fmtp(102).orElseThrow().parameters()).containsEntry("profile-level-id", "42001f")
                .containsEntry("packetization-mode", "1");
        assertThat(video.fmtp(97).orElseThrow().parameterText()).isEqualTo("apt=96");
        MediaDescription audio = answer.mediaByMid("0").orElseThrow();
        assertThat(audio.fmtp(111).orElseThrow().parameterText()).isEqualTo("minptime=10;useinbandfec=1");
    }

    @Test
    void videoOrientationIsAcceptedAndUnknownExtensionsAreNot() throws Exception {
        NegotiatedMedia video = answer(SdpResources.PUBLISH_OFFER).negotiated().byMid("1").orElseThrow();
        assertThat(video.extensionIds()).containsEntry(RtpExtensionUris.VIDEO_ORIENTATION, 13)
                .doesNotContainKey("urn:ietf:params:rtp-hdrext:toffset")
                .doesNotContainKey("http://www.webrtc.org/experiments/rtp-hdrext/video-timing");
    }

    @Test
    void answerRoundTripsThroughTheParser() throws Exception {
        SessionDescription answer = answer(SdpResources.SIMULCAST_OFFER).answer();
        String text = SdpWriter.write(answer);
        assertThat(SdpParser.parse(text)).isEqualTo(answer);
    }

    @Test
    void remoteTransportComesFromTheOffer() throws Exception {
        TransportDescription t = answer(SdpResources.PUBLISH_OFFER).negotiated().transport();
        assertThat(t.remoteIceUfrag()).isEqualTo("rN/A");
        assertThat(t.remoteIcePwd()).isEqualTo("lILU3sDKFqhQkXJC26oVXL8d");
        assertThat(t.remoteFingerprints()).extracting(Fingerprint::hashFunction).containsExactly("sha-256");
        assertThat(t.remoteSetup()).isEqualTo(Setup.ACTPASS);
        assertThat(t.localSetup()).isEqualTo(Setup.PASSIVE);
        assertThat(t.localIsDtlsClient()).isFalse();
        assertThat(t.candidates()).isNotEmpty();
    }

    @Test
    void simulcastRidsAreMirroredAsRecv() throws Exception {
        PublishAnswer a = answer(SdpResources.SIMULCAST_OFFER);
        MediaDescription video = a.answer().mediaByMid("1").orElseThrow();
        assertThat(video.rids()).containsExactly(new Rid("q", false, null), new Rid("h", false, null), new Rid("f", false, null));
        assertThat(video.simulcast().orElseThrow().value()).isEqualTo("recv q;h;f");
        assertThat(video.attributeValues("simulcast")).containsExactly("recv q;h;f");
        NegotiatedMedia n = a.negotiated().byMid("1").orElseThrow();
        assertThat(n.rids()).containsExactly("q", "h", "f");
        assertThat(n.simulcast()).isTrue();
        assertThat(n.ssrcs()).isEmpty();
    }

    @Test
    void activeOfferIsAnsweredPassiveAndPassiveOfferActive() throws Exception {
        for (var c : List.of(List.of(Setup.ACTIVE, Setup.PASSIVE), List.of(Setup.PASSIVE, Setup.ACTIVE))) {
            String text = SdpResources.text(SdpResources.PUBLISH_OFFER).replace("a=setup:actpass", "a=setup:" + c.get(0).token());
            PublishAnswer a = PublishNegotiator.buildPublishAnswer(SdpParser.parse(text), LOCAL,
                    MediaCapabilities.defaults(), Origin.of(1, 1));
            assertThat(a.negotiated().transport().localSetup()).isEqualTo(c.get(1));
            assertThat(a.answer().media().get(0).setup()).contains(c.get(1));
        }
    }

    @Test
    void dataChannelSectionIsRejectedWithPortZero() throws Exception {
        PublishAnswer a = answer(SdpResources.DATACHANNEL_OFFER);
        MediaDescription m = a.answer().media().get(0);
        assertThat(m.port()).isZero();
        assertThat(m.mid()).contains("0");
        assertThat(m.mediaLine().formats()).containsExactly("webrtc-datachannel");
        assertThat(a.negotiated().media().get(0).accepted()).isFalse();
        assertThat(a.answer().bundleGroup()).isEmpty();
    }

    @Test
    void sectionWithOnlyUnsupportedCodecsIsRejected() throws Exception {
        String text = SdpResources.text(SdpResources.PUBLISH_OFFER);
        SessionDescription offer = SdpParser.parse(text.replaceFirst("m=audio (\\d+) UDP/TLS/RTP/SAVPF [0-9 ]+\r\n",
                "m=audio $1 UDP/TLS/RTP/SAVPF 9 0 8\r\n"));
        PublishAnswer a = PublishNegotiator.buildPublishAnswer(offer, LOCAL, MediaCapabilities.defaults(), Origin.of(1, 1));
        assertThat(a.answer().media().get(0).port()).isZero();
        assertThat(a.negotiated().byMid("0").orElseThrow().accepted()).isFalse();
        assertThat(a.negotiated().byMid("1").orElseThrow().accepted()).isTrue();
        assertThat(a.answer().bundleGroup().orElseThrow().mids()).containsExactly("1");
    }

    @Test
    void offerWithoutFingerprintCannotBeNegotiated() throws Exception {
        String text = SdpResources.text(SdpResources.PUBLISH_OFFER).replaceAll("a=fingerprint:[^\r]*\r\n", "");
        SessionDescription offer = SdpParser.parse(text);
        assertThatThrownBy(() -> PublishNegotiator.buildPublishAnswer(offer, LOCAL, MediaCapabilities.defaults(), Origin.of(1, 1)))
                .isInstanceOf(SdpNegotiationException.class)
                .hasMessageContaining("fingerprint");
    }

    @Test
    void offerWithSeveralSectionsAndNoBundleIsRefused() throws Exception {
        String text = SdpResources.text(SdpResources.PUBLISH_OFFER).replaceAll("a=group:BUNDLE[^\r]*\r\n", "");
        SessionDescription offer = SdpParser.parse(text);
        assertThatThrownBy(() -> PublishNegotiator.buildPublishAnswer(offer, LOCAL, MediaCapabilities.defaults(), Origin.of(1, 1)))
                .isInstanceOf(SdpNegotiationException.class)
                .hasMessageContaining("BUNDLE");
    }

    @Test
    void inactiveOfferedSectionIsAnsweredInactive() throws Exception {
        String text = SdpResources.text(SdpResources.PUBLISH_OFFER).replaceFirst("a=sendonly", "a=inactive");
        PublishAnswer a = PublishNegotiator.buildPublishAnswer(SdpParser.parse(text), LOCAL,
                MediaCapabilities.defaults(), Origin.of(1, 1));
        assertThat(a.answer().media().get(0).direction()).isEqualTo(Direction.INACTIVE);
        assertThat(a.negotiated().media().get(0).accepted()).isTrue();
    }
}
