package dev.fanout.server.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web origins may use {@code /rtc} and {@code /dev/token} (RFC 6454): a page of this
 * server, an origin of the allow-list, or any origin when the list holds {@code *}. A request
 * without {@code Origin} does not come from a page's script (browsers send it on every
 * cross-origin fetch and WebSocket), so the origin rule does not apply to it.
 */
public final class Origins {
  private final Set<String> allowed;
  private final boolean any;

  private Origins(Set<String> allowed, boolean any) {
    this.allowed = allowed;
    this.any = any;
  }

  /**
   * The policy of a configuration: the given origins; an empty list means any origin in dev
   * mode and same-origin only otherwise.
   */
  public static Origins of(List<String> allowedOrigins, boolean dev) {
    Set<String> set = allowedOrigins.stream().map(Origins::normalize).collect(Collectors.toUnmodifiableSet());
    return new Origins(set, set.contains("*") || set.isEmpty() && dev);
  }

  /**
   * Whether a request with this {@code Origin} header (null when absent) and {@code Host} header
   * may go on.
   */
  public boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    String o = normalize(origin);
    return allowed.contains(o) || sameOrigin(o, host);
  }

  /** Whether {@code origin} names the host (and port) the request was sent to. */
  private static boolean sameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    URI u;
    try {
      u = new URI(origin);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    if (u.getHost() == null || u.getScheme() == null) {
      return false;
    }
    // The scheme is not compared: behind a TLS proxy the page is https and the Host is ours.
    int defaultPort = u.getScheme().equals("https") ? 443 : 80;
    int port = u.getPort() < 0 ? defaultPort : u.getPort();
    String h = host.toLowerCase(Locale.ROOT);
    String originHost = u.getHost().toLowerCase(Locale.ROOT);
    return h.equals(originHost + ":" + port) || port == defaultPort && h.equals(originHost);
  }

  private static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
