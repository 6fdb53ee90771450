package dev.fanout.ice;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A local ICE candidate as it appears in SDP (RFC 8839 §5.1), e.g.
 * {@code candidate:1 1 udp 2130706431 192.0.2.10 10000 typ host}.
 *
 * <p>An ICE-lite server only has host candidates (RFC 8445 §5.1.1.1): one per advertised address
 * of the shared media port, including public addresses of a 1:1 NAT, which the agent cannot
 * discover and which are therefore configured.
 */
public record IceCandidate(String foundation, int component, String transport, long priority,
    String address, int port, String type) {
  /** RFC 8445 §5.1.2.2: the recommended type preference of host candidates. */
  public static final int HOST_TYPE_PREFERENCE = 126;
  /** RTP component; with rtcp-mux and BUNDLE it is the only one. */
  public static final int COMPONENT_RTP = 1;

  /**
   * Host candidates of {@code port} on each of {@code addresses}, duplicates removed, the first
   * address preferred. Each address gets its own foundation (different base addresses).
   */
  public static List<IceCandidate> hosts(List<InetAddress> addresses, int port) {
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port);
    }
    List<IceCandidate> out = new ArrayList<>();
    int index = 0;
    for (InetAddress address : new LinkedHashSet<>(addresses)) {
      if (address.isAnyLocalAddress()) {
        throw new IllegalArgumentException("wildcard address cannot be a candidate: " + address);
      }
      out.add(new IceCandidate(Integer.toString(index + 1), COMPONENT_RTP, "udp",
          priority(HOST_TYPE_PREFERENCE, 65535 - index, COMPONENT_RTP),
          address.getHostAddress(), port, "host"));
      index++;
    }
    return List.copyOf(out);
  }

  /** RFC 8445 §5.1.2.1: 2^24 type preference + 2^8 local preference + (256 - component). */
  public static long priority(int typePreference, int localPreference, int component) {
    return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - component);
  }

  /**
   * The value of the SDP attribute, without {@code a=}; also the {@code candidate} string of an
   * RTCIceCandidateInit for trickle ICE.
   */
  public String sdpAttribute() {
    return "candidate:" + foundation + " " + component + " " + transport + " " + priority + " "
        + address + " " + port + " typ " + type;
  }

  @Override
  public String toString() {
    return sdpAttribute();
  }
}
