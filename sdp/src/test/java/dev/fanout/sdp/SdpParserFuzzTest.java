package dev.fanout.sdp;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target for the parser and the publish negotiator. In a normal build it runs in
 * regression mode over the committed inputs in
 * {@code src/test/resources/dev/fanout/sdp/SdpParserFuzzTestInputs/parseAndAnswer/};
 * run with {@code JAZZER_FUZZ=1} to fuzz. Anything but a parsed description, an
 * {@link SdpParseException} or an {@link SdpNegotiationException} is a finding.
 */
class SdpParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parseAndAnswer(byte[] input) {
        SessionDescription sd;
        try {
            sd = SdpParser.parse(input, SdpLimits.DEFAULT);
        } catch (SdpParseException expected) {
            return;
        }
        SdpWriter.write(sd);
        try {
            PublishNegotiator.buildPublishAnswer(sd, PublishNegotiatorTest.LOCAL, MediaCapabilities.defaults(), Origin.of(1, 1));
        } catch (SdpNegotiationException expected) {
            // A well-formed description that cannot be negotiated is an ordinary outcome.
        }
    }
}
