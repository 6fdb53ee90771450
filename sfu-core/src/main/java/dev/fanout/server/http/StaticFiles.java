package dev.fanout.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The browser SDK and demo page, served from the {@code web/} folder packed into the jar.
 * {@code /} is {@code web/index.html}, {@code /sdk/NAME} is {@code web/NAME}, any other
 * {@code /NAME} is {@code web/NAME}. Names are restricted to a safe alphabet, so no request can
 * leave {@code web/}.
 */
public final class StaticFiles {
  /** A file's bytes and content type. */
  public record Asset(byte[] bytes, String contentType) {}

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}){0,3}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "mjs", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "json", "application/json",
      "txt", "text/plain; charset=utf-8",
      "ogg", "audio/ogg");

  private final Map<String, Asset> cache = new ConcurrentHashMap<>();
  private final ClassLoader loader = StaticFiles.class.getClassLoader();

  /** The asset for a request path (without query), or null when there is none. */
  public Asset find(String path) {
    String name;
    if (path.equals("/") || path.equals("/index.html")) {
      name = "index.html";
    } else if (path.startsWith("/sdk/")) {
      name = path.substring("/sdk/".length());
    } else {
      name = path.substring(1);
    }
    if (!SAFE.matcher(name).matches() || name.contains("..")) {
      return null;
    }
    Asset cached = cache.get(name);
    if (cached != null) {
      return cached;
    }
    Asset loaded = load(name);
    if (loaded != null) {
      cache.put(name, loaded);
    }
    return loaded;
  }

  private Asset load(String name) {
    try (InputStream in = loader.getResourceAsStream("web/" + name)) {
      if (in == null) {
        return null;
      }
      int dot = name.lastIndexOf('.');
      String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      return new Asset(in.readAllBytes(), TYPES.getOrDefault(ext, "application/octet-stream"));
    } catch (IOException e) {
      return null;
    }
  }
}
