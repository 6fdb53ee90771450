package dev.fanout.ice.net;

import dev.fanout.rtp.PacketClass;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the shared media port, by RFC 7983 class. Cheap enough to bump per datagram. */
public final class MediaPortStats {
  private final LongAdder datagrams = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder stun = new LongAdder();
  private final LongAdder dtls = new LongAdder();
  private final LongAdder rtpRtcp = new LongAdder();
  private final LongAdder unknown = new LongAdder();

  /** Counts one received datagram of {@code length} bytes and class {@code cls}. */
  public void received(PacketClass cls, int length) {
    datagrams.increment();
    bytes.add(length);
    switch (cls) {
      case STUN -> stun.increment();
      case DTLS -> dtls.increment();
      case RTP_RTCP -> rtpRtcp.increment();
      case UNKNOWN -> unknown.increment();
    }
  }

  public long datagrams() {
    return datagrams.sum();
  }

  public long bytes() {
    return bytes.sum();
  }

  public long count(PacketClass cls) {
    return switch (cls) {
      case STUN -> stun.sum();
      case DTLS -> dtls.sum();
      case RTP_RTCP -> rtpRtcp.sum();
      case UNKNOWN -> unknown.sum();
    };
  }

  /** A snapshot in a stable order, for JSON health output. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("datagrams", datagrams());
    m.put("bytes", bytes());
    m.put("stun", stun.sum());
    m.put("dtls", dtls.sum());
    m.put("rtpRtcp", rtpRtcp.sum());
    m.put("unknownDropped", unknown.sum());
    return m;
  }
}
