package dev.fanout.server.auth;

import dev.fanout.server.config.ConfigException;
import dev.fanout.server.config.FanoutConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The API key of dev mode when no key is configured. It is fixed and published so that tokens
 * minted for a dev server, and tools configured with it, keep working across restarts. Anyone
 * who knows it can mint tokens, so a server using it listens on loopback only.
 */
public final class DevKey {
  public static final String KEY = "devkey";
  /** 36 characters: HS256 needs at least 256 bits (RFC 7518 §3.2), as for any secret. */
  public static final String SECRET = "fanout-dev-secret-not-for-production";

  private DevKey() {}

  /**
   * In dev mode without configured keys, adds the dev key to {@code config}.
   *
   * @return whether it was added
   */
  public static boolean applyTo(FanoutConfig config) {
    if (!config.dev || !config.keys.isEmpty()) {
      return false;
    }
    config.keys.put(KEY, SECRET);
    return true;
  }

  /**
   * Refuses to serve with the public dev key on anything but loopback: on a reachable address
   * it would let anyone join any room as anyone.
   */
  public static void requireLoopback(FanoutConfig config) {
    String bind = config.httpBind();
    boolean loopback;
    try {
      loopback = InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (!loopback) {
      throw new ConfigException("dev mode with the built-in key '" + KEY + "' (whose secret is "
          + "public) serves on loopback only, but http.bind is " + bind
          + ": configure your own keys to listen there");
    }
  }
}
