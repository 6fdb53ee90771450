package dev.fanout.server.browser;

import dev.fanout.server.FanoutServer;
import dev.fanout.server.config.FanoutConfig;
import dev.fanout.testkit.link.LinkEmulator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A dev-mode Fanout server and one headless Chromium per test class (started with the first
 * page); each test opens the pages (windows) it needs, and they are closed after it. Skipped when Chromium is not installed,
 * failed instead when {@code FANOUT_BROWSER_TESTS=required}.
 */
abstract class BrowserTestBase {
  static final String KEY = "browser";
  static final String SECRET = "0123456789abcdef0123456789abcdef-browser";
  private static final AtomicInteger ROOMS = new AtomicInteger();

  static FanoutServer server;
  static Chromium chromium;
  /**
   * Flags added to the class's browser (a class sets them in its own {@code @BeforeAll}, which
   * runs before the browser starts with the first page); reset after the class.
   */
  static List<String> extraChromiumFlags = List.of();

  @BeforeAll
  static void startServer() throws Exception {
    Chromium.assumeInstalled();
    FanoutConfig c = new FanoutConfig();
    c.dev = true;
    c.http.bind = "127.0.0.1";
    c.http.port = 0;
    c.media.bind = "127.0.0.1";
    c.media.port = 0;
    c.keys.put(KEY, SECRET);
    server = FanoutServer.start(c);
  }

  @AfterEach
  void closePages() {
    if (chromium != null) {
      chromium.closePages();
    }
  }

  @AfterAll
  static void stopServerAndBrowser() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      chromium = null;
      extraChromiumFlags = List.of();
      if (server != null) {
        server.close();
      }
      server = null;
    }
  }

  static String baseUrl() {
    return "http://127.0.0.1:" + server.httpAddress().getPort();
  }

  /** A new page (window) on the harness; the class's browser starts with its first page. */
  static BrowserPage page() {
    return browser().open(baseUrl());
  }

  /** A new page (window) on a path of the server, without the harness. */
  static BrowserPage plainPage(String path) {
    return browser().openUrl(baseUrl() + path);
  }

  /** A new page (window) on any URL, e.g. a page of another origin. */
  static BrowserPage pageAt(String url) {
    return browser().openUrl(url);
  }

  private static Chromium browser() {
    if (chromium == null) {
      try {
        chromium = Chromium.launch(extraChromiumFlags);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return chromium;
  }

  /**
   * A link emulator (the test kit's UDP relay) in front of the server's media port; the caller
   * closes it. Route a page through it with {@link #routeMedia} before the page joins.
   */
  static LinkEmulator linkEmulator(long seed) throws java.io.IOException {
    return LinkEmulator.to(server.mediaAddress()).seed(seed).start();
  }

  /**
   * Makes {@code page}'s peer connections send their media to {@code link} instead of the
   * server: the harness rewrites the server's candidates in every remote description.
   */
  static void routeMedia(BrowserPage page, LinkEmulator link) {
    page.run("H.routeMedia(arguments[0], arguments[1], arguments[2])", server.mediaAddress().getPort(),
        link.address().getAddress().getHostAddress(), link.address().getPort());
  }

  /** A participant (client 'c') that plays everything published in the room. */
  static BrowserPage participant(String room, String identity) {
    return participant(room, identity, null, null, 0);
  }

  /**
   * A participant (client 'c') whose media crosses {@code link} when it is not null, and that
   * plays every track published in the room, or only those of kind {@code only}, subscribing to
   * video {@code videoDelayMs} after it was published.
   */
  static BrowserPage participant(String room, String identity, LinkEmulator link, String only, int videoDelayMs) {
    BrowserPage page = page();
    if (link != null) {
      routeMedia(page, link);
    }
    page.run("H.client('c'); H.autoSubscribe('c', arguments[2], arguments[3]); await H.join('c', arguments[0], arguments[1])",
        room, identity, only, videoDelayMs);
    return page;
  }

  /** A room name no other test uses. */
  static String newRoom() {
    return "room-" + ROOMS.incrementAndGet();
  }
}
