package dev.fanout.sdp;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one offer/answer exchange: every media section in m-line order (rejected ones
 * included, with {@code accepted == false}) and the BUNDLE transport they share.
 */
public record NegotiatedSession(List<NegotiatedMedia> media, TransportDescription transport) {

    public NegotiatedSession {
        media = List.copyOf(media);
    }

    public Optional<NegotiatedMedia> byMid(String mid) {
        return media.stream().filter(m -> m.mid().equals(mid)).findFirst();
    }

    public List<NegotiatedMedia> accepted() {
        return media.stream().filter(NegotiatedMedia::accepted).toList();
    }
}
