package dev.fanout.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the SDP captured from Chromium under {@code src/test/resources/sdp/}. */
final class SdpResources {
    private SdpResources() {}

    static final String PUBLISH_OFFER = "chromium-publish-offer-audio-video.sdp";
    static final String SIMULCAST_OFFER = "chromium-publish-offer-simulcast.sdp";
    static final String SUBSCRIBE_PEER_OFFER = "chromium-subscribe-peer-offer.sdp";
    static final String SUBSCRIBE_ANSWER = "chromium-subscribe-answer.sdp";
    static final String DATACHANNEL_OFFER = "chromium-offer-datachannel.sdp";

    static String text(String name) {
        try (InputStream in = SdpResources.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("missing test resource /sdp/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionDescription parse(String name) {
        try {
            return SdpParser.parse(text(name));
        } catch (SdpParseException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }
}
