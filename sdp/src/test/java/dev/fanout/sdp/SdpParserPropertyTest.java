package dev.fanout.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

class SdpParserPropertyTest {

    private static final String CHROMIUM = SdpResources.text(SdpResources.SIMULCAST_OFFER);

    @Property(tries = 2000)
    void arbitraryTextEitherParsesOrFailsWithSdpParseException(@ForAll @StringLength(max = 400) String text) {
        assertParsesOrRejects(text);
    }

    @Property(tries = 2000)
    void mutatedChromiumOfferEitherParsesOrFailsWithSdpParseException(@ForAll("mutatedOffers") String text) {
        assertParsesOrRejects(text);
    }

    @Property(tries = 500)
    void whatParsesWritesBackToTheSameModel(@ForAll("mutatedOffers") String text) throws Exception {
        SessionDescription sd;
        try {
            sd = SdpParser.parse(text);
        } catch (SdpParseException e) {
            return;
        }
        assertThat(SdpParser.parse(SdpWriter.write(sd))).isEqualTo(sd);
    }

    @Provide
    Arbitrary<String> mutatedOffers() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, CHROMIUM.length() - 1);
        Arbitrary<String> insert = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8),
                Arbitraries.of(" ", ":", "/", ";", "\r\n", "\n", "=", "a=", "m=video 0 X 1\r\n", "99999999999999999999", "-1", "~"));
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, 12);
        return net.jqwik.api.Combinators.combine(position, insert, cut).as((p, s, c) ->
                CHROMIUM.substring(0, p) + s + CHROMIUM.substring(Math.min(CHROMIUM.length(), p + c)));
    }

    private static void assertParsesOrRejects(String text) {
        try {
            SessionDescription sd = SdpParser.parse(text);
            // Every typed accessor must work on whatever parsed.
            sd.origin();
            sd.groups();
            sd.fingerprints();
            for (MediaDescription m : sd.media()) {
                m.mediaLine().payloadTypes();
                m.rtpmaps();
                m.fmtps().forEach(Fmtp::parameters);
                m.rtcpFeedback();
                m.extmaps();
                m.candidates();
                m.fingerprints();
                m.setup();
                m.msids();
                m.ssrcAttributes();
                m.ssrcGroups();
                m.rids();
                m.simulcast();
                m.direction();
            }
        } catch (SdpParseException expected) {
            assertThat(expected.lineNumber()).isGreaterThanOrEqualTo(0);
        }
    }
}
