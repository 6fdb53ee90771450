package dev.fanout.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 30s}, {@code 30m}, {@code 1h}, {@code 1h30m},
 * {@code 7d}, or ISO-8601 ({@code PT1H30M}, {@code P1D}).
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(-?)((?:\\d{1,9}[dhms])+)");
  private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");

  private Durations() {}

  /**
   * Parses {@code text}; throws {@link IllegalArgumentException} with an example of what is
   * accepted. The sign is kept, so a caller can say that a negative duration is not allowed
   * rather than that it is unreadable.
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      Duration d = Duration.ZERO;
      Matcher part = PART.matcher(m.group(2));
      while (part.find()) {
        long n = Long.parseLong(part.group(1));
        d = d.plus(switch (part.group(2)) {
          case "d" -> Duration.ofDays(n);
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofSeconds(n);
        });
      }
      return m.group(1).isEmpty() ? d : d.negated();
    }
    String upper = t.toUpperCase(java.util.Locale.ROOT);
    if (upper.startsWith("P") || upper.startsWith("-P")) {
      try {
        return Duration.parse(upper);
      } catch (DateTimeParseException e) {
        // Falls through to the one message below.
      }
    }
    throw new IllegalArgumentException("expected a duration such as 30m, 1h, 1h30m, 7d or PT1H30M, got '"
        + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "'");
  }

  /** The shortest of {@code 7d}, {@code 24h}, {@code 1h30m}, {@code 90s} that says {@code d}. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long s = d.getSeconds();
    if (s == 0) {
      return d.isZero() ? "0s" : d.toMillis() + "ms";
    }
    if (s % 86_400 == 0 && s > 86_400) {
      return s / 86_400 + "d";
    }
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
    }
    if (s % 3600 >= 60) {
      b.append(s % 3600 / 60).append('m');
    }
    if (s % 60 != 0) {
      b.append(s % 60).append('s');
    }
    return b.toString();
  }
}
