package dev.fanout.server.signaling;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Joins and refused joins by error code, for metrics; bumped on any thread. */
public final class SignalingStats {
  private final LongAdder joins = new LongAdder();
  private final Map<ErrorCode, LongAdder> joinFailures = new EnumMap<>(ErrorCode.class);

  public SignalingStats() {
    for (ErrorCode c : ErrorCode.values()) {
      joinFailures.put(c, new LongAdder());
    }
  }

  void joined() {
    joins.increment();
  }

  void joinFailed(ErrorCode code) {
    joinFailures.get(code).increment();
  }

  public long joins() {
    return joins.sum();
  }

  /** Refused joins with this code. */
  public long joinFailures(ErrorCode code) {
    return joinFailures.get(code).sum();
  }
}
