package dev.fanout.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SdpParserErrorTest {

    private static final String HEAD = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    private static final String M = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

    /** A description whose last line (line 6 inside the media section) is the one under test. */
    private static String media(String line) {
        return HEAD + M + line + "\r\n";
    }

    static Stream<Arguments> malformedMediaLines() {
        return Stream.of(
                Arguments.of("a=rtpmap:96", "rtpmap"),
                Arguments.of("a=rtpmap:128 VP8/90000", "payload type"),
                Arguments.of("a=rtpmap:96 VP8", "encoding"),
                Arguments.of("a=rtpmap:96 VP8/0x10", "clock rate"),
                Arguments.of("a=rtpmap:96 VP8/99999999999999999999999", "clock rate"),
                Arguments.of("a=fmtp:96", "fmtp"),
                Arguments.of("a=fmtp:x apt=1", "payload type"),
                Arguments.of("a=rtcp-fb:96", "rtcp-fb"),
                Arguments.of("a=rtcp-fb:-1 nack", "payload type"),
                Arguments.of("a=extmap:0 urn:x", "extmap id"),
                Arguments.of("a=extmap:256 urn:x", "extmap id"),
                Arguments.of("a=extmap:1/sideways urn:x", "direction"),
                Arguments.of("a=extmap:1", "extmap"),
                Arguments.of("a=fingerprint:sha-256", "fingerprint"),
                Arguments.of("a=fingerprint:sha-256 ZZ:00", "hex"),
                Arguments.of("a=setup:sometimes", "setup"),
                Arguments.of("a=candidate:1 1 udp 100 1.2.3.4 99999 typ host", "port"),
                Arguments.of("a=candidate:1 1 udp 100 1.2.3.4 5000 type host", "typ"),
                Arguments.of("a=candidate:1 1 udp", "8 fields"),
                Arguments.of("a=candidate:1 1 udp 100 1.2.3.4 5000 typ host generation", "pairs"),
                Arguments.of("a=ice-ufrag:ab", "ice-ufrag"),
                Arguments.of("a=ice-pwd:short", "ice-pwd"),
                Arguments.of("a=ice-ufrag:ab cd", "ice-ufrag"),
                Arguments.of("a=mid:", "mid"),
                Arguments.of("a=mid:a b", "mid"),
                Arguments.of("a=msid:a b c", "msid"),
                Arguments.of("a=ssrc:4294967296 cname:x", "ssrc"),
                Arguments.of("a=ssrc:12", "ssrc"),
                Arguments.of("a=ssrc-group:FID", "ssrc-group"),
                Arguments.of("a=ssrc-group:FID 1 x", "ssrc"),
                Arguments.of("a=rid:q sideways", "rid"),
                Arguments.of("a=rid:q!x send", "rid"),
                Arguments.of("a=simulcast:send", "simulcast"),
                Arguments.of("a=simulcast:send q;;f", "rid"),
                Arguments.of("a=simulcast:up q", "simulcast"),
                Arguments.of("a=rtcp-mux:yes", "takes no value"),
                Arguments.of("a=sendonly:1", "takes no value"),
                Arguments.of("a=ice-lite", "session level"),
                Arguments.of("a=group:BUNDLE 0", "session level"),
                Arguments.of("b=AS", "b="),
                Arguments.of("b=AS:fast", "bandwidth"),
                Arguments.of("c=IN IP4", "c="),
                Arguments.of("x=unknown", "not allowed"),
                Arguments.of("a=", "line is not"),
                Arguments.of("a=:value", "attribute name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedMediaLines")
    void malformedMediaLevelLineIsReportedWithItsLineNumber(String line, String reasonPart) {
        assertThatThrownBy(() -> SdpParser.parse(media(line)))
                .isInstanceOf(SdpParseException.class)
                .hasMessageContaining(reasonPart)
                .asInstanceOf(InstanceOfAssertFactories.type(SdpParseException.class))
                .extracting(SdpParseException::lineNumber).isEqualTo(6);
    }

    static Stream<Arguments> malformedDocuments() {
        return Stream.of(
                Arguments.of("o=- 1 2 IN IP4 0.0.0.0\r\nv=0\r\ns=-\r\nt=0 0\r\n", 1, "v="),
                Arguments.of("v=1\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 1, "version"),
                Arguments.of("v=0\r\ns=-\r\no=- 1 2 IN IP4 0.0.0.0\r\nt=0 0\r\n", 2, "o="),
                Arguments.of("v=0\r\no=- x 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 2, "session id"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4\r\ns=-\r\nt=0 0\r\n", 2, "6 fields"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n", 3, "t="),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0\r\n", 4, "t="),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nc=IN IP4 1.2.3.4\r\n", 5, "out of order"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\r\n", 5, "empty line"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nA=x\r\n", 5, "line type"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=x\0y\r\n", 5, "NUL"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=x\ry\r\n", 5, "CR"),
                Arguments.of(HEAD + "a=group:BUNDLE 0\r\n", 5, "unknown mid"),
                Arguments.of(HEAD + "a=ice-lite\r\na=ice-lite\r\n", 6, "duplicate"),
                Arguments.of(HEAD + M + "a=mid:0\r\n" + M + "a=mid:0\r\n", 8, "duplicate mid"),
                Arguments.of(HEAD + M + "a=mid:0\r\na=mid:1\r\n", 7, "duplicate a=mid"),
                Arguments.of(HEAD + M + "a=sendonly\r\na=recvonly\r\n", 7, "direction"),
                Arguments.of(HEAD + M + "a=rtpmap:96 VP8/90000\r\na=rtpmap:96 VP9/90000\r\n", 7, "duplicate a=rtpmap"),
                Arguments.of(HEAD + M + "a=extmap:1 urn:a\r\na=extmap:1 urn:b\r\n", 7, "duplicate a=extmap"),
                Arguments.of(HEAD + M + "a=mid:0\r\nc=IN IP4 1.2.3.4\r\n", 7, "out of order"),
                Arguments.of(HEAD + "m=video 9 UDP/TLS/RTP/SAVPF VP8\r\n", 5, "payload type"),
                Arguments.of(HEAD + "m=video 70000 UDP/TLS/RTP/SAVPF 96\r\n", 5, "port"),
                Arguments.of(HEAD + "m=video 9 UDP/TLS/RTP/SAVPF\r\n", 5, "format"),
                Arguments.of(HEAD + "m=video  9 UDP/TLS/RTP/SAVPF 96\r\n", 5, "empty field"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("malformedDocuments")
    void malformedDocumentIsReportedWithItsLineNumber(String text, int line, String reasonPart) {
        assertThatThrownBy(() -> SdpParser.parse(text))
                .isInstanceOf(SdpParseException.class)
                .hasMessageContaining(reasonPart)
                .asInstanceOf(InstanceOfAssertFactories.type(SdpParseException.class))
                .extracting(SdpParseException::lineNumber).isEqualTo(line);
    }

    @Test
    void emptyAndNullInputAreRejected() {
        assertThatThrownBy(() -> SdpParser.parse("")).isInstanceOf(SdpParseException.class);
        assertThatThrownBy(() -> SdpParser.parse((String) null)).isInstanceOf(SdpParseException.class);
    }

    @Test
    void documentLargerThanTheLimitIsRejectedBeforeParsing() {
        String big = HEAD + ("a=x-filler:" + "y".repeat(1000) + "\r\n").repeat(70);
        assertThatThrownBy(() -> SdpParser.parse(big))
                .isInstanceOf(SdpParseException.class)
                .hasMessageContaining("larger than 65536");
        assertThatThrownBy(() -> SdpParser.parse(big.getBytes(StandardCharsets.UTF_8), SdpLimits.DEFAULT))
                .isInstanceOf(SdpParseException.class);
    }

    @Test
    void tooManyLinesTooLongLineAndTooManySectionsAreRejected() {
        SdpLimits small = new SdpLimits(64 * 1024, 10, 50, 2);
        assertThatThrownBy(() -> SdpParser.parse(HEAD + "a=x\r\n".repeat(7), small))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("more than 10 lines");
        assertThatThrownBy(() -> SdpParser.parse(HEAD + "a=" + "x".repeat(60) + "\r\n", small))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("longer than 50");
        assertThatThrownBy(() -> SdpParser.parse(HEAD + M + M + M, small))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("more than 2 media sections");
    }

    @Test
    void invalidUtf8IsAParseError() {
        byte[] bytes = (HEAD + "a=x-\u00e9\r\n").getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 4] = (byte) 0xC3;
        bytes[bytes.length - 3] = (byte) 0x28;
        assertThatThrownBy(() -> SdpParser.parse(bytes, SdpLimits.DEFAULT))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void unknownAttributesAreKeptInOrder() throws Exception {
        String text = HEAD + M + "a=x-one:1\r\na=mid:v\r\na=x-two\r\na=x-one:2\r\n";
        MediaDescription m = SdpParser.parse(text).media().get(0);
        assertThat(m.attributeValues("x-one")).containsExactly("1", "2");
        assertThat(m.lines()).extracting(SdpLine::attributeName).containsExactly("x-one", "mid", "x-two", "x-one");
        assertThat(SdpWriter.write(SdpParser.parse(text))).isEqualTo(text);
    }

    @Test
    void builderRefusesWhatTheParserWouldRefuse() {
        MediaDescription.Builder b = MediaDescription.builder(MediaLine.of("audio", 9, "UDP/TLS/RTP/SAVPF", java.util.List.of("111")))
                .attribute("rtpmap", "111 opus");
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rtpmap");
    }
}
