package dev.fanout.server.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One window of the shared Chromium, on a page of the server under test that runs the test
 * harness ({@code browser/harness.js}, which imports {@code /sdk/fanout.js}).
 *
 * <p>The server serves only {@code web/}, so the harness is written into a same-origin page
 * (the server's 404 page for {@code /browser-harness}): that keeps the page a secure context
 * (loopback) with the SDK, {@code /dev/token} and {@code /rtc} on its own origin.
 */
final class BrowserPage {
  private static final String HARNESS = resource("browser/harness.js");

  private final ChromeDriver driver;
  private final String window;

  BrowserPage(ChromeDriver driver, String window) {
    this.driver = driver;
    this.window = window;
  }

  /** Loads the harness. */
  void load(String baseUrl) {
    focus();
    driver.get(baseUrl + "/browser-harness");
    driver.executeScript(
        "document.open();"
            + "document.write('<!doctype html><html><head><meta charset=\"utf-8\"><title>harness</title></head>"
            + "<body><div id=\"stage\"></div></body></html>');"
            + "document.close();"
            + "const s = document.createElement('script');"
            + "s.type = 'module';"
            + "s.textContent = arguments[0];"
            + "document.head.appendChild(s);",
        HARNESS);
    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> {
      Object state = driver.executeScript(
          "return window.harnessError ? 'error: ' + window.harnessError : window.harnessReady === true");
      if (state instanceof String s) {
        throw new AssertionError("the browser harness failed to load: " + s);
      }
      return Boolean.TRUE.equals(state) ? Boolean.TRUE : null;
    });
  }

  /**
   * Runs {@code body} as the body of an async function in the page ({@code arguments[i]} are the
   * args) and returns what it returns. A rejection becomes an AssertionError that carries the
   * page's error, including a FanoutError's code.
   */
  Object run(String body, Object... args) {
    focus();
    String script = "const done = arguments[arguments.length - 1];"
        + "const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
        + "(async function () {" + body + "\n}).apply(null, args).then("
        + "  v => done({ ok: v === undefined ? null : v }),"
        + "  e => done({ error: (e && e.name ? e.name : 'Error') + (e && e.code ? ' ' + e.code : '') + ': '"
        + "      + (e && e.message ? e.message : String(e)) + (e && e.stack ? '\\n' + e.stack : '') }));";
    Object result;
    try {
      result = driver.executeAsyncScript(script, args);
    } catch (JavascriptException e) {
      throw new AssertionError("script failed in the page: " + e.getMessage() + pageLog(), e);
    }
    if (!(result instanceof Map<?, ?> map)) {
      throw new AssertionError("unexpected script result " + result);
    }
    if (map.containsKey("error")) {
      throw new AssertionError("in the page: " + map.get("error") + pageLog());
    }
    return map.get("ok");
  }

  /** {@link #run} for a script that returns a string. */
  String text(String body, Object... args) {
    return String.valueOf(run(body, args));
  }

  /** {@link #run} for a script that returns a number. */
  double number(String body, Object... args) {
    Object v = run(body, args);
    if (!(v instanceof Number n)) {
      throw new AssertionError("expected a number from the page, got " + v);
    }
    return n.doubleValue();
  }

  /** {@link #run} for a script that returns a boolean. */
  boolean bool(String body, Object... args) {
    return Boolean.TRUE.equals(run(body, args));
  }

  /** {@link #run} for a script that returns an object. */
  @SuppressWarnings("unchecked")
  Map<String, Object> object(String body, Object... args) {
    Object v = run(body, args);
    if (!(v instanceof Map<?, ?>)) {
      throw new AssertionError("expected an object from the page, got " + v);
    }
    return (Map<String, Object>) v;
  }

  /** The harness's event log of one client, as "event uid [detail]" lines, for failure messages. */
  private String pageLog() {
    try {
      Object log = driver.executeScript("return window.H ? H.dump() : ''");
      List<String> console = new ArrayList<>();
      try {
        for (LogEntry e : driver.manage().logs().get("browser")) {
          console.add(e.getMessage());
        }
      } catch (RuntimeException e) {
        // the browser log is not always available
      }
      return "\n--- page events ---\n" + log + (console.isEmpty() ? "" : "\n--- console ---\n" + String.join("\n", console));
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** A PNG screenshot of the page. */
  byte[] screenshot() {
    focus();
    return driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
  }

  /** Resizes the page's window (the outer size, as a person would). */
  void resize(int width, int height) {
    focus();
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
  }

  /** Grants the page's origin a permission, e.g. {@code clipboard-read}. */
  void grant(String permission) {
    focus();
    driver.setPermission(permission, "granted");
  }

  /**
   * Makes the page behave as the focused one ({@code document.hasFocus()}), which the clipboard
   * API requires; of several windows of a headless browser, none has focus otherwise.
   */
  void emulateFocus() {
    focus();
    driver.executeCdpCommand("Emulation.setFocusEmulationEnabled", Map.of("enabled", true));
  }

  void focus() {
    driver.switchTo().window(window);
  }

  void close() {
    try {
      focus();
      driver.close();
    } catch (RuntimeException e) {
      // already gone
    }
  }

  private static String resource(String name) {
    try (InputStream in = BrowserPage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
