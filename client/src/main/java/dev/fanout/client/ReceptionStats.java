package dev.fanout.client;

import dev.fanout.rtp.RtpSequenceTracker;
import dev.fanout.rtp.rtcp.ReportBlock;

/**
 * What a receiver reports about one received stream (RFC 3550 §6.4.1): loss (Appendix A.3),
 * interarrival jitter (A.8) and the LSR/DLSR of the last sender report, from which the sender
 * computes the round trip. Used on one loop only.
 */
final class ReceptionStats {
  private final int ssrc;
  private final double ticksPerNano;
  private final RtpSequenceTracker sequence = new RtpSequenceTracker();
  private boolean received;
  private boolean haveTransit;
  private int lastTransit;
  /** In timestamp units, unrounded (A.8 keeps it scaled by 16 for integer arithmetic; a double needs no scaling). */
  private double jitter;
  private long lastSrCompact;
  private long lastSrNanos;

  ReceptionStats(int ssrc, int clockRate) {
    this.ssrc = ssrc;
    this.ticksPerNano = clockRate / 1e9;
  }

  void onRtp(int sequenceNumber, long rtpTimestamp, long arrivalNanos) {
    sequence.update(sequenceNumber);
    received = true;
    // Transit time in timestamp units; only differences matter, so 32 bits wrapping is fine.
    int transit = (int) ((long) (arrivalNanos * ticksPerNano) - rtpTimestamp);
    if (haveTransit) {
      int d = Math.abs(transit - lastTransit);
      jitter += (d - jitter) / 16;
    }
    lastTransit = transit;
    haveTransit = true;
  }

  void onSenderReport(long compactNtp, long arrivalNanos) {
    lastSrCompact = compactNtp;
    lastSrNanos = arrivalNanos;
  }

  /** The report block for now, which starts a new fraction-lost interval; null before the first packet. */
  ReportBlock report(long nowNanos) {
    if (!received) {
      return null;
    }
    long dlsr = lastSrCompact == 0 ? 0 : (nowNanos - lastSrNanos) * 65536 / 1_000_000_000L;
    return new ReportBlock(ssrc, sequence.takeFractionLost(), sequence.cumulativeLost(),
        sequence.extendedHighest(), (long) jitter, lastSrCompact, dlsr);
  }
}
