package dev.fanout.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds a {@link FanoutConfig} from defaults, a YAML file and the environment. Flags are applied
 * afterwards by the command line, which knows which of them the user actually gave.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigLoader() {}

  /** Defaults, then {@code file} if not null, then the {@code FANOUT_*} variables of {@code env}. */
  public static FanoutConfig load(Path file, Map<String, String> env) {
    FanoutConfig config = new FanoutConfig();
    if (file != null) {
      applyFile(config, file);
    }
    applyEnvironment(config, env);
    return config;
  }

  static void applyFile(FanoutConfig config, Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    if (text.isBlank()) {
      return;
    }
    try {
      YAML.readerForUpdating(config).readValue(text);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          "config file " + file + ": unknown key '" + e.getPropertyName() + "' at line "
              + e.getLocation().getLineNr(), e);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new ConfigException(
          "config file " + file + " is not valid" + where + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Environment variables: {@code FANOUT_HTTP_BIND}, {@code FANOUT_HTTP_PORT},
   * {@code FANOUT_MEDIA_BIND}, {@code FANOUT_MEDIA_PORT},
   * {@code FANOUT_ADVERTISED_IPS} (comma-separated), {@code FANOUT_KEYS} ({@code key:secret}
   * pairs, comma-separated), {@code FANOUT_DEV} (true/false), {@code FANOUT_LOG_LEVEL},
   * {@code FANOUT_ALLOWED_ORIGINS} (comma-separated).
   */
  static void applyEnvironment(FanoutConfig config, Map<String, String> env) {
    String v;
    if ((v = env.get("FANOUT_HTTP_BIND")) != null) {
      config.http.bind = v.trim();
    }
    if ((v = env.get("FANOUT_HTTP_PORT")) != null) {
      config.http.port = parseInt("FANOUT_HTTP_PORT", v);
    }
    if ((v = env.get("FANOUT_MEDIA_BIND")) != null) {
      config.media.bind = v.trim();
    }
    if ((v = env.get("FANOUT_MEDIA_PORT")) != null) {
      config.media.port = parseInt("FANOUT_MEDIA_PORT", v);
    }
    if ((v = env.get("FANOUT_ADVERTISED_IPS")) != null) {
      config.media.advertisedIps = Arrays.stream(v.split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toList());
    }
    if ((v = env.get("FANOUT_ALLOWED_ORIGINS")) != null) {
      config.http.allowedOrigins = Arrays.stream(v.split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toList());
    }
    if ((v = env.get("FANOUT_KEYS")) != null) {
      config.keys.clear();
      for (String pair : v.split(",")) {
        if (!pair.isBlank()) {
          putKey(config, "FANOUT_KEYS", pair.trim());
        }
      }
    }
    if ((v = env.get("FANOUT_DEV")) != null) {
      config.dev = parseBoolean("FANOUT_DEV", v);
    }
    if ((v = env.get("FANOUT_LOG_LEVEL")) != null) {
      config.logLevel = v.trim();
    }
  }

  /** Adds a {@code key:secret} pair; {@code source} names where it came from for the error. */
  public static void putKey(FanoutConfig config, String source, String pair) {
    int colon = pair.indexOf(':');
    if (colon <= 0 || colon == pair.length() - 1) {
      throw new ConfigException(source + ": expected key:secret, got '" + redact(pair) + "'");
    }
    config.keys.put(pair.substring(0, colon), pair.substring(colon + 1));
  }

  private static String redact(String pair) {
    int colon = pair.indexOf(':');
    return colon < 0 ? pair.substring(0, Math.min(pair.length(), 8)) + "…" : pair.substring(0, colon) + ":…";
  }

  private static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a number, got '" + value + "'");
    }
  }

  private static boolean parseBoolean(String name, String value) {
    String v = value.trim().toLowerCase();
    if (v.equals("true") || v.equals("1") || v.equals("yes")) {
      return true;
    }
    if (v.equals("false") || v.equals("0") || v.equals("no") || v.isEmpty()) {
      return false;
    }
    throw new ConfigException(name + " must be true or false, got '" + value + "'");
  }
}
