package dev.fanout.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The browser SDK and demo page, served from the {@code web/} folder packed into the jar.
 * {@code /} is {@code web/index.html}, any other {@code /NAME} is {@code web/NAME}. Names are
 * restricted to a safe alphabet, so no request can leave {@code web/}.
 *
 * <p>{@code /sdk/NAME} is {@code web/NAME} for the SDK's own files only: those its npm package
 * ships (the {@code files} of {@code web/package.json}) and {@code package.json} itself. So the
 * modules the SDK imports from each other by relative URL are there, and the demo page is not.
 */
public final class StaticFiles {
  /** A file's bytes and content type. */
  public record Asset(byte[] bytes, String contentType) {}

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}){0,3}");
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("json", "application/json"),
      Map.entry("txt", "text/plain; charset=utf-8"),
      Map.entry("ogg", "audio/ogg"),
      // TypeScript declarations (fanout.d.ts): text for a reader, never run by a browser.
      Map.entry("ts", "text/plain; charset=utf-8"));

  /** The content type the server sends a file of this name with. */
  public static String contentType(String fileName) {
    int dot = fileName.lastIndexOf('.');
    String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  private final Map<String, Asset> cache = new ConcurrentHashMap<>();
  private final ClassLoader loader = StaticFiles.class.getClassLoader();
  private final Set<String> sdkFiles = loadSdkFiles();

  /** The asset for a request path (without query), or null when there is none. */
  public Asset find(String path) {
    String name;
    if (path.equals("/") || path.equals("/index.html")) {
      name = "index.html";
    } else if (path.startsWith("/sdk/")) {
      name = path.substring("/sdk/".length());
      if (!sdkFiles.contains(name)) {
        return null;
      }
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
      return new Asset(in.readAllBytes(), contentType(name));
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The names {@code web/package.json} lists in {@code files}, plus {@code package.json}. Only
   * plain names count (no globs, no folders); none when the file is missing or unreadable.
   */
  private Set<String> loadSdkFiles() {
    Set<String> names = new HashSet<>();
    try (InputStream in = loader.getResourceAsStream("web/package.json")) {
      if (in == null) {
        return Set.of();
      }
      JsonNode files = new ObjectMapper().readTree(in).path("files");
      for (JsonNode f : files) {
        String name = f.asText();
        if (!name.contains("/")) { // plain names only; find() checks each for safety when asked
          names.add(name);
        }
      }
    } catch (IOException e) {
      return Set.of();
    }
    names.add("package.json");
    return Set.copyOf(names);
  }
}
