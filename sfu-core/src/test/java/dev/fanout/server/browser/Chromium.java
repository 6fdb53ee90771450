package dev.fanout.server.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Debian Chromium driven through Debian's chromedriver, with a fresh profile.
 * Both executables are given by absolute path, so Selenium Manager is never consulted (it
 * would try to download a driver). Pages are separate windows of the same browser: windows,
 * unlike background tabs, keep running their timers and rendering.
 */
final class Chromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Set to {@code required} (CI does) to turn a missing Chromium into a failure. */
  static final String REQUIRED_ENV = "FANOUT_BROWSER_TESTS";

  /** The flags that make WebRTC work headless on a loopback-only machine (DESIGN.md). */
  static final List<String> FLAGS = List.of(
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
      "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
      // Several pages share one browser; none of them may be throttled as "in the background".
      "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
      "--window-size=800,600");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;
  private final String anchorWindow;
  private final List<BrowserPage> pages = new ArrayList<>();

  private Chromium(ChromeDriverService service, ChromeDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
    this.anchorWindow = driver.getWindowHandle();
  }

  /**
   * Skips the calling test (class) when Chromium or chromedriver is missing, or fails it when
   * {@code FANOUT_BROWSER_TESTS=required}.
   */
  static void assumeInstalled() {
    List<String> missing = new ArrayList<>();
    for (Path p : List.of(BROWSER, DRIVER)) {
      if (!Files.isExecutable(p)) {
        missing.add(p.toString());
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    skipOrFail("browser tests need Debian's chromium and chromium-driver (missing: "
        + String.join(", ", missing) + "); install them with: apt-get install chromium chromium-driver");
  }

  /**
   * Skips the test for a missing tool, or fails it when {@link #REQUIRED_ENV} is {@code
   * required} (CI, where the tool must be there).
   */
  static void skipOrFail(String message) {
    if ("required".equalsIgnoreCase(System.getenv(REQUIRED_ENV))) {
      Assertions.fail(message + " [" + REQUIRED_ENV + "=required]");
    }
    Assumptions.abort(message);
  }

  /**
   * A browser with {@link #FLAGS} and then {@code extraFlags}; a flag given again with a value
   * replaces the earlier one (e.g. {@code --use-fake-device-for-media-stream=device-count=3}).
   */
  static Chromium launch(List<String> extraFlags) throws IOException {
    Path profile = Files.createTempDirectory("fanout-chromium-");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .withSilent(true)
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(FLAGS);
    options.addArguments(extraFlags);
    options.addArguments("--user-data-dir=" + profile);
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(45));
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
      return new Chromium(service, driver, profile);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
  }

  /** Opens a new window on the harness page of the server at {@code baseUrl}. */
  BrowserPage open(String baseUrl) {
    driver.switchTo().window(anchorWindow);
    driver.switchTo().newWindow(WindowType.WINDOW);
    BrowserPage page = new BrowserPage(driver, driver.getWindowHandle());
    pages.add(page);
    page.load(baseUrl);
    return page;
  }

  /** Opens a new window on any URL, without the harness. */
  BrowserPage openUrl(String url) {
    driver.switchTo().window(anchorWindow);
    driver.switchTo().newWindow(WindowType.WINDOW);
    BrowserPage page = new BrowserPage(driver, driver.getWindowHandle());
    pages.add(page);
    driver.get(url);
    return page;
  }

  /** Closes every page (window) opened since the browser started; the browser stays up. */
  void closePages() {
    for (BrowserPage p : pages) {
      p.close();
    }
    pages.clear();
    driver.switchTo().window(anchorWindow);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteTree(profile);
    }
  }

  /** Deletes a folder tree, if there is one; what cannot be deleted stays. */
  static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp dir is harmless
    }
  }
}
