package dev.fanout.server.browser;

/** The media tests against the real server: one page (window) per participant. */
class MediaBrowserTest extends AbstractMediaBrowserTest {

  @Override
  BrowserPage subscriber(String room, String identity) {
    BrowserPage page = page();
    page.run("H.client('s'); H.autoSubscribe('s'); await H.join('s', arguments[0], arguments[1])", room, identity);
    return page;
  }

  @Override
  BrowserPage publisher(String room, String identity) {
    BrowserPage page = page();
    page.run("await H.join('p', arguments[0], arguments[1])", room, identity);
    return page;
  }
}
