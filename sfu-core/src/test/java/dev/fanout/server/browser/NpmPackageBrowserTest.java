package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK as an npm package: {@code npm pack} of web/, a tiny TypeScript app
 * (sfu-core/src/test/typescript/app) that installs the tarball, is built with {@code tsc}
 * against the package's declarations, and runs bundle-free in Chromium (an import map names
 * {@code node_modules/fanout-sdk/fanout.js}) from its own loopback origin: one window publishes
 * a canvas, another subscribes and must decode its colour.
 */
class NpmPackageBrowserTest extends BrowserTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The built app, once the first test has packed, installed and built it. */
  private static Path app;
  private static HttpServer appServer;

  @BeforeEach
  void packInstallAndBuildOnce() {
    Npm.assumeInstalled();
    if (app != null) {
      return; // done for the first test of the class
    }
    Path tsc = Npm.typescript();
    Path work = Npm.scratch("npm-package-test");

    Npm.Result packed = Npm.run(work, "npm", "pack", Npm.sdkPackage().toString(), "--pack-destination", work.toString())
        .ok();
    List<String> lines = packed.output().strip().lines().toList();
    Path tarball = work.resolve(lines.get(lines.size() - 1).strip());
    assertThat(tarball).as("npm pack's tarball (%s)", packed.output()).isRegularFile();

    Path app = work.resolve("app");
    Npm.copyTree(Npm.repository().resolve("sfu-core/src/test/typescript/app"), app);
    // A local tarball without dependencies: nothing comes from the registry.
    Npm.run(app, "npm", "install", "--offline", "--no-audit", "--no-fund", tarball.toString()).ok();
    Npm.run(app, "node", tsc.toString(), "-p", ".", "--pretty", "false").ok();
    assertThat(app.resolve("dist/main.js")).isRegularFile();
    NpmPackageBrowserTest.app = app;
  }

  @AfterAll
  static void stopApp() {
    if (appServer != null) {
      appServer.stop(0);
    }
    appServer = null;
    app = null;
  }

  @Test
  void theTarballHoldsTheModulesTheDeclarationsAndTheManifest() throws IOException {
    Path installed = app.resolve("node_modules/fanout-sdk");
    JsonNode manifest = JSON.readTree(installed.resolve("package.json").toFile());
    assertThat(manifest.at("/exports/./types").asText()).isEqualTo("./fanout.d.ts");
    assertThat(manifest.at("/exports/./default").asText()).isEqualTo("./fanout.js");
    assertThat(manifest.path("type").asText()).isEqualTo("module");
    for (JsonNode f : manifest.path("files")) {
      assertThat(installed.resolve(f.asText())).as("installed %s", f.asText()).isRegularFile();
    }
    try (var files = Files.list(installed)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("nothing else of web/ is packed")
          .doesNotContain("demo.js", "demo.css", "index.html");
    }
  }

  @Test
  void anAppBuiltOnThePackagePublishesACanvasThatAnotherWindowDecodes() throws IOException {
    String origin = startAppServer();
    String room = newRoom();

    BrowserPage watcher = openApp(origin);
    BrowserPage publisher = openApp(origin);
    assertThat(watcher.text("return location.origin")).isEqualTo(origin).isNotEqualTo(baseUrl());
    assertThat(watcher.text("return app.version")).isEqualTo(sdkVersion());

    watcher.run("await app.watch(arguments[0], arguments[1], 'viewer', 'painter')", baseUrl(), room);
    String trackId = publisher.text("return await app.publish(arguments[0], arguments[1], 'painter', [220, 30, 30])",
        baseUrl(), room);
    assertThat(trackId).isNotBlank();

    awaitColour(watcher, new int[] {220, 30, 30});
    publisher.run("app.paint([30, 30, 220])");
    awaitColour(watcher, new int[] {30, 30, 220});

    publisher.run("await app.leave()");
    watcher.run("await app.leave()");
  }

  /**
   * Waits until the watcher decodes frames of about {@code rgb}: a condition, polled for up to
   * two minutes so that a busy machine only makes it slower.
   */
  private static void awaitColour(BrowserPage watcher, int[] rgb) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
    Object last = null;
    while (System.nanoTime() < deadline) {
      last = watcher.run("return app.centreColour()");
      if (last instanceof List<?> c && c.size() == 3) {
        boolean close = true;
        for (int k = 0; k < 3; k++) {
          close &= Math.abs(((Number) c.get(k)).intValue() - rgb[k]) < 50;
        }
        if (close) {
          return;
        }
      }
      watcher.run("await new Promise(r => setTimeout(r, 100))");
    }
    throw new AssertionError("the watcher never decoded rgb" + java.util.Arrays.toString(rgb) + "; last: " + last);
  }

  private static BrowserPage openApp(String origin) {
    BrowserPage page = pageAt(origin + "/index.html");
    String state = page.text("const end = performance.now() + 30000;"
        + "while (performance.now() < end) {"
        + "  if (window.app) return 'ready';"
        + "  await new Promise(r => setTimeout(r, 50)); }"
        + "return 'the app did not load';");
    assertThat(state).isEqualTo("ready");
    return page;
  }

  private static String sdkVersion() throws IOException {
    return JSON.readTree(Npm.sdkPackage().resolve("package.json").toFile()).path("version").asText();
  }

  /** Serves the app folder (with its node_modules) from a loopback port; returns the origin. */
  private static String startAppServer() throws IOException {
    if (appServer == null) {
      Path root = app.toRealPath();
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
      server.createContext("/", exchange -> {
        String path = exchange.getRequestURI().getPath();
        Path file = root.resolve(path.substring(1)).normalize();
        byte[] body;
        int status;
        String type;
        if (file.startsWith(root) && Files.isRegularFile(file)) {
          type = dev.fanout.server.http.StaticFiles.contentType(file.getFileName().toString());
          body = Files.readAllBytes(file);
          status = 200;
        } else {
          type = "text/plain";
          body = ("no " + path).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          status = 404;
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
      appServer = server;
    }
    return "http://127.0.0.1:" + appServer.getAddress().getPort();
  }
}
