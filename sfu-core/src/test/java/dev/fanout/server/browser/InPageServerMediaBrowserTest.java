package dev.fanout.server.browser;

import org.junit.jupiter.api.AfterEach;

/**
 * The media tests with both clients in one page, talking to an in-page stand-in for the
 * server ({@code browser/fake-sfu.js}: protocol v1 over a fake WebSocket, media relayed by the
 * page's own RTCPeerConnections). This proves the SDK's side of every media flow (offers and
 * answers on both connections, subscriber-offer revisions, mid-to-track binding, setEnabled,
 * setMuted, replaceMediaStreamTrack, leave, reconnection and restore) independently of the
 * server's media path; {@link MediaBrowserTest} runs the same tests against the real server.
 */
class InPageServerMediaBrowserTest extends AbstractMediaBrowserTest {
  private BrowserPage shared;

  @AfterEach
  void forgetPage() {
    shared = null;
  }

  private BrowserPage sharedPage() {
    if (shared == null) {
      shared = page(true);
    }
    return shared;
  }

  @Override
  BrowserPage subscriber(String room, String identity) {
    BrowserPage page = sharedPage();
    page.run("H.client('s'); H.autoSubscribe('s'); await H.join('s', arguments[0], arguments[1])", room, identity);
    return page;
  }

  @Override
  BrowserPage publisher(String room, String identity) {
    BrowserPage page = sharedPage();
    page.run("await H.join('p', arguments[0], arguments[1])", room, identity);
    return page;
  }
}
