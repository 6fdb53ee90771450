package dev.fanout.server;

import dev.fanout.server.config.FanoutConfig;

/** Configurations for servers started inside a test JVM, on loopback and ephemeral ports. */
final class TestServers {
  static final String KEY = "testkey";
  static final String SECRET = "0123456789abcdef0123456789abcdef-test";

  private TestServers() {}

  static FanoutConfig loopbackConfig() {
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
