package dev.fanout.server.media;

import dev.fanout.rtp.feedback.TransportCcRecorder;
import dev.fanout.rtp.rtcp.GenericNack;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReceiverReport;
import dev.fanout.rtp.rtcp.Remb;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.rtp.rtcp.RtcpPacket;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.NegotiatedSession;
import dev.fanout.sdp.RtpExtensionUris;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the server tells one publisher about its uplink: transport-cc feedback, NACKs,
 * keyframe requests, receiver reports and, for a peer without transport-cc, REMB. Runs on the
 * room's loop; the timers stop with {@link #close()}.
 */
final class PublisherFeedback implements Producer.Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(PublisherFeedback.class);
  /** Sender SSRC of the server's own RTCP (feedback and receiver reports). */
  static final int SERVER_SSRC = 0x46414e4f; // "FANO"
  /** How often the publisher gets transport-cc feedback and NACKs (libwebrtc sends 50–250 ms). */
  static final long FEEDBACK_INTERVAL_MILLIS = 50;
  /**
   * REMB sent to a publisher that negotiated REMB but not transport-cc: a ceiling, not an
   * estimate, so the publisher's own loss-based control finds the rate below it.
   */
  static final long REMB_CEILING_BPS = 10_000_000L;

  private final WebRtcTransport transport;
  private final MediaStats stats;
  private final Collection<Producer> producers;
  private final String label;
  private final TransportCcRecorder arrivals = new TransportCcRecorder();
  private final int[] nackScratch = new int[64];
  private final EventLoop loop;
  private final ScheduledFuture<?> feedback;
  private final ScheduledFuture<?> reports;
  /** The timer that sends NACKs when the next one is due (see {@link #sendNacks}), and when. */
  private ScheduledFuture<?> nackTimer;
  private long nackTimerAt = Long.MAX_VALUE;
  private boolean transportCc;
  private boolean remb;
  private int lastMediaSsrc;
  private boolean closed;

  /** @param producers the publisher's producers, read (never changed) on each timer tick */
  PublisherFeedback(WebRtcTransport transport, Collection<Producer> producers, EventLoop loop, String label,
      MediaStats stats) {
    this.transport = transport;
    this.stats = stats;
    this.producers = producers;
    this.label = label;
    this.loop = loop;
    this.feedback = loop.scheduleAtFixedRate(this::sendFeedback, FEEDBACK_INTERVAL_MILLIS,
        FEEDBACK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    this.reports = loop.scheduleAtFixedRate(this::sendReports, 1, 1, TimeUnit.SECONDS);
  }

  /** Which feedback the publisher negotiated (each publish answer may change it). */
  void negotiated(NegotiatedSession negotiated) {
    transportCc = false;
    remb = false;
    for (NegotiatedMedia m : negotiated.accepted()) {
      OptionalInt tcc = m.extensionId(RtpExtensionUris.TRANSPORT_WIDE_CC);
      for (var c : m.codecs()) {
        transportCc |= tcc.isPresent() && c.feedback().contains("transport-cc");
        remb |= c.feedback().contains("goog-remb");
      }
    }
  }

  /** A packet carrying transport-wide sequence number {@code seq} arrived on stream {@code ssrc}. */
  void arrived(int seq, int ssrc, long nowNanos) {
    arrivals.onPacket(seq, nowNanos);
    lastMediaSsrc = ssrc;
  }

  /**
   * Every {@link #FEEDBACK_INTERVAL_MILLIS}: transport-cc feedback for every packet that arrived
   * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), so the publisher's send-side
   * estimator sees this link, and a NACK per video layer for the packets it is missing
   * (RFC 4585 §6.2.1). Sent as reduced-size RTCP (RFC 5506).
   */
  private void sendFeedback() {
    if (closed || !transport.connected()) {
      return;
    }
    long now = System.nanoTime();
    byte[] a = transport.sendBuffer();
    try {
      while (arrivals.hasPendingFeedback()) {
        int n = arrivals.write(a, 0, 1200, SERVER_SSRC, lastMediaSsrc);
        if (n == 0) {
          break;
        }
        transport.sendRtcp(a, 0, n);
      }
      for (Producer p : producers) {
        for (Producer.Layer l : p.layers()) {
          sendNacks(l, now);
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: feedback failed: {}", label, e.toString());
    }
  }

  /**
   * NACKs what {@code layer} misses and is due now, and sets {@link #nackTimer} for when the next
   * request is due. Called after each received packet, from the feedback tick and from that
   * timer, so a loss is asked for once the reorder allowance has passed and a retry once its
   * interval has, not at whichever packet or 50 ms tick comes next: a subscriber's picture waits
   * for the repair. (RFC 4585 §3.5.2 lets a receiver send a NACK as early feedback without
   * waiting for a regular report; in a reduced-size compound, RFC 5506, nothing else is sent.)
   */
  void sendNacks(Producer.Layer layer, long now) {
    if (layer.nacks == null) {
      return;
    }
    long unrecoverable = layer.nacks.givenUp() + layer.nacks.dropped();
    if (unrecoverable != layer.unrecoverable) {
      // Packets of the forwarded layer that will never come: every subscriber's picture breaks
      // there and each would ask for a keyframe after its own NACKs ran out; ask once, now.
      layer.unrecoverable = unrecoverable;
      if (layer == layer.producer.target()) {
        layer.producer.requestKeyframe(now);
      }
    }
    if (!transport.connected()) {
      return;
    }
    if (layer.nacks.nextDueNanos() <= now) {
      int count = layer.nacks.collect(now, 0, nackScratch);
      if (count > 0) {
        byte[] a = transport.sendBuffer();
        transport.sendRtcp(a, 0, GenericNack.writeTo(a, 0, SERVER_SSRC, layer.ssrc, nackScratch, count));
        stats.nacksToPublishers.increment();
      }
    }
    long due = layer.nacks.nextDueNanos();
    if (due < nackTimerAt && !closed) {
      if (nackTimer != null) {
        nackTimer.cancel(false);
      }
      nackTimerAt = due;
      nackTimer = loop.schedule(this::nackTimerFired, Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }
  }

  private void nackTimerFired() {
    nackTimer = null;
    nackTimerAt = Long.MAX_VALUE;
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    try {
      for (Producer p : producers) {
        for (Producer.Layer l : p.layers()) {
          sendNacks(l, now);
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: NACK failed: {}", label, e.toString());
    }
  }

  /** PLI (RFC 4585 §6.3.1), after an empty RR as RFC 3550 §6.1 wants a compound packet to start. */
  @Override
  public void requestKeyframe(int mediaSsrc) {
    if (closed || !transport.connected()) {
      return;
    }
    send(List.of(new ReceiverReport(SERVER_SSRC, List.of()), new PictureLossIndication(SERVER_SSRC, mediaSsrc)));
    stats.plisToPublishers.increment();
  }

  /**
   * Once a second: a receiver report per layer (RFC 3550 §6.4.2), with REMB when that is all the
   * peer has; the loss it reports goes to the metrics, and the producers' packet counts too.
   */
  private void sendReports() {
    if (closed) {
      return;
    }
    for (Producer p : producers) {
      p.publishCounts();
    }
    if (!transport.connected() || producers.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    try {
      MediaStats.Reports metrics = stats.reports();
      List<ReportBlock> blocks = new ArrayList<>();
      for (Producer p : producers) {
        for (ReportBlock b : p.reportBlocks(now)) {
          metrics.publisherLoss(p.kind(), b.fractionLost() / 256.0);
          blocks.add(b);
        }
      }
      if (blocks.size() > 31) {
        blocks = blocks.subList(0, 31);
      }
      if (remb && !transportCc) {
        send(List.of(new ReceiverReport(SERVER_SSRC, blocks), Remb.of(SERVER_SSRC, REMB_CEILING_BPS, videoSsrcs())));
      } else {
        send(List.of(new ReceiverReport(SERVER_SSRC, blocks)));
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: reports failed: {}", label, e.toString());
    }
  }

  private List<Integer> videoSsrcs() {
    List<Integer> out = new ArrayList<>();
    for (Producer p : producers) {
      if (p.kind() == MediaKind.VIDEO) {
        for (Producer.Layer l : p.layers()) {
          out.add(l.ssrc);
        }
      }
    }
    return out;
  }

  private void send(List<RtcpPacket> compound) {
    RtcpCompound.send(transport, compound, label);
  }

  void close() {
    closed = true;
    feedback.cancel(false);
    reports.cancel(false);
    if (nackTimer != null) {
      nackTimer.cancel(false);
    }
  }
}
