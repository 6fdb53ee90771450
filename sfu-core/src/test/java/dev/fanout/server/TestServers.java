package dev.fanout.server;

import dev.fanout.server.config.FanoutConfig;

/** Configurations for servers started inside a test JVM, on loopback and ephemeral ports. */
public final class TestServers {
  public static final String KEY = "testkey";
  public static final String SECRET = "0123456789abcdef0123456789abcdef-test";

  private TestServers() {}

  public static FanoutConfig loopbackConfig() {
    FanoutConfig c = new FanoutConfig();
    c.http.bind = "127.0.0.1";
    c.http.port = 0;
    c.media.bind = "127.0.0.1";
    c.media.port = 0;
    c.keys.put(KEY, SECRET);
    c.logLevel = "info";
    return c;
  }
}
