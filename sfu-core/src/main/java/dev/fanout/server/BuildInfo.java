package dev.fanout.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version and commit this build was made from (fanout-version.properties, filled in by Maven). */
public final class BuildInfo {
  private static final Properties PROPERTIES = load();
  private static final String VERSION = property("version");
  private static final String COMMIT = loadCommit();

  private BuildInfo() {}

  /** The Maven version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return VERSION;
  }

  /**
   * The abbreviated commit, with {@code -dirty} when the working tree had uncommitted changes;
   * {@code unknown} for a build outside a git checkout.
   */
  public static String commit() {
    return COMMIT;
  }

  /** {@code 0.1.0-SNAPSHOT (commit 4bc25a5)}: what the version option and the start line print. */
  public static String describe() {
    return VERSION + " (commit " + COMMIT + ")";
  }

  private static String loadCommit() {
    String id = property("commit");
    return id.equals("unknown") || !"true".equals(PROPERTIES.getProperty("dirty")) ? id : id + "-dirty";
  }

  /** A property, or {@code unknown} when missing or left unfiltered (no git checkout). */
  private static String property(String name) {
    String v = PROPERTIES.getProperty(name, "");
    return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/fanout-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource leaves every property unknown
    }
    return p;
  }
}
