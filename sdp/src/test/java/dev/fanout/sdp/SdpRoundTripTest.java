package dev.fanout.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SdpRoundTripTest {

    @ParameterizedTest
    @ValueSource(strings = {
            SdpResources.PUBLISH_OFFER, SdpResources.SIMULCAST_OFFER, SdpResources.SUBSCRIBE_PEER_OFFER,
            SdpResources.SUBSCRIBE_ANSWER, SdpResources.DATACHANNEL_OFFER})
    void chromiumDescriptionWritesBackByteIdentical(String resource) throws Exception {
        String original = SdpResources.text(resource);
        SessionDescription sd = SdpParser.parse(original);
        assertThat(SdpWriter.write(sd)).isEqualTo(original);
    }

    @ParameterizedTest
    @ValueSource(strings = {SdpResources.PUBLISH_OFFER, SdpResources.SIMULCAST_OFFER, SdpResources.SUBSCRIBE_ANSWER})
    void lfOnlyInputIsAcceptedAndWrittenWithCrlf(String resource) throws Exception {
        String original = SdpResources.text(resource);
        SessionDescription sd = SdpParser.parse(original.replace("\r\n", "\n"));
        assertThat(SdpWriter.write(sd)).isEqualTo(original);
    }

    @ParameterizedTest
    @ValueSource(strings = {SdpResources.PUBLISH_OFFER, SdpResources.SIMULCAST_OFFER, SdpResources.SUBSCRIBE_ANSWER})
    void rebuildingThroughTheBuilderKeepsEveryLine(String resource) throws Exception {
        SessionDescription sd = SdpResources.parse(resource);
        SessionDescription.Builder b = SessionDescription.builder();
        sd.sessionLines().forEach(b::line);
        for (MediaDescription m : sd.media()) {
            b.media(m.toBuilder().build());
        }
        assertThat(b.build()).isEqualTo(sd);
        assertThat(SdpWriter.write(b.build())).isEqualTo(SdpResources.text(resource));
    }

    @org.junit.jupiter.api.Test
    void missingFinalLineTerminatorIsTolerated() throws Exception {
        SessionDescription sd = SdpParser.parse("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0");
        assertThat(SdpWriter.write(sd)).isEqualTo("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
    }
}
