package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.fanout.server.FanoutServer;
import dev.fanout.server.auth.AccessTokens;
import dev.fanout.server.config.FanoutConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A web app on another origin than the Fanout server (here: another port of 127.0.0.1, served
 * by a tiny HTTP server of the test): it imports the SDK from the Fanout server, fetches a dev
 * token and joins; outside dev mode only the origins of {@code http.allowedOrigins} may join.
 */
class CrossOriginBrowserTest extends BrowserTestBase {
  /**
   * The app: imports the SDK from the server named in {@code ?fanout=}, as a page of another
   * site would with a plain {@code import}.
   */
  private static final String APP = "<!doctype html><html><head><meta charset=\"utf-8\"><title>app</title>"
      + "<script type=\"module\">"
      + "const fanout = new URL(location.href).searchParams.get('fanout');"
      + "import(fanout + '/sdk/fanout.js')"
      + "  .then(m => { window.Fanout = m.default; window.appReady = true; })"
      + "  .catch(e => { window.appError = String(e); });"
      + "</script></head><body>another site</body></html>";

  private final List<HttpServer> apps = new java.util.ArrayList<>();
  private FanoutServer production;

  @AfterEach
  void stopApps() {
    apps.forEach(a -> a.stop(0));
    if (production != null) {
      production.close();
    }
  }

  /** An HTTP server of its own origin that serves {@link #APP}; returns its origin. */
  private String startApp() throws IOException {
    HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    app.createContext("/", exchange -> {
      byte[] body = APP.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    app.start();
    apps.add(app);
    return "http://127.0.0.1:" + app.getAddress().getPort();
  }

  private static BrowserPage openApp(String appOrigin, String fanoutBase) {
    BrowserPage page = pageAt(appOrigin + "/app.html?fanout=" + fanoutBase);
    String state = page.text("for (let i = 0; i < 400; i++) {"
        + "  if (window.appReady) return 'ready';"
        + "  if (window.appError) return 'error: ' + window.appError;"
        + "  await new Promise(r => setTimeout(r, 50)); }"
        + "return 'timeout';");
    assertThat(state).as("the app on %s imported the SDK from %s", appOrigin, fanoutBase).isEqualTo("ready");
    assertThat(page.text("return location.origin")).isEqualTo(appOrigin).isNotEqualTo(fanoutBase);
    return page;
  }

  private static final String JOIN = "const c = Fanout.createClient({ url: arguments[0] });"
      + "try {"
      + "  const uid = await c.join(arguments[2] ? { room: arguments[1], token: arguments[2] }"
      + "                                       : { room: arguments[1], identity: 'cross' });"
      + "  const state = c.connectionState; await c.leave(); return 'joined ' + uid + ' ' + state;"
      + "} catch (e) { return 'failed ' + e.code + ': ' + e.message; }";

  @Test
  void aPageOfAnotherOriginImportsTheSdkFetchesADevTokenAndJoins() throws Exception {
    String app = startApp();
    BrowserPage page = openApp(app, baseUrl());
    String outcome = page.text(JOIN, baseUrl(), newRoom(), null);
    assertThat(outcome).isEqualTo("joined cross CONNECTED");
  }

  @Test
  void outsideDevModeOnlyAllowedOriginsMayJoin() throws Exception {
    String allowedApp = startApp();
    String otherApp = startApp();
    FanoutConfig c = new FanoutConfig();
    c.http.bind = "127.0.0.1";
    c.http.port = 0;
    c.media.bind = "127.0.0.1";
    c.media.port = 0;
    c.keys.put(KEY, SECRET);
    c.http.allowedOrigins = List.of(allowedApp);
    production = FanoutServer.start(c);
    String base = "http://127.0.0.1:" + production.httpAddress().getPort();
    String room = newRoom();
    String token = production.tokens().mint(KEY, new AccessTokens.Grant(room, "cross", "cross", true, true, null),
        Duration.ofMinutes(5));

    BrowserPage allowed = openApp(allowedApp, base);
    assertThat(allowed.text(JOIN, base, room, token)).isEqualTo("joined cross CONNECTED");

    // Another site may still import the SDK (a public script), but not open /rtc.
    BrowserPage other = openApp(otherApp, base);
    String refused = other.text(JOIN, base, room, token);
    assertThat(refused).startsWith("failed NETWORK_ERROR");
    assertThat(production.rooms().participantCount()).isZero();
  }
}
