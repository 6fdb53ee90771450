package dev.fanout.server.media;

import dev.fanout.rtp.RtpFormatException;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.feedback.RtxUnwrap;
import dev.fanout.sdp.NegotiatedMedia;
import dev.fanout.sdp.NegotiatedSession;
import dev.fanout.sdp.RtpExtensionUris;
import dev.fanout.sdp.SsrcGroup;
import io.netty.util.collection.IntObjectHashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The ingress of one publish connection: finds the receive stream (layer) of each decrypted RTP
 * packet — by SSRC, or learnt from its MID and RID extensions (RFC 8852) — turns RTX back into
 * the packet it repairs (RFC 4588 §4), records transport-wide arrivals for feedback, and hands
 * the packet to its producer. Runs on the room's loop; allocates nothing per known packet.
 */
final class PublishDemux {
  /** Most SSRCs (media and RTX) a publisher can make the server remember by sending them. */
  private static final int MAX_LEARNT_SSRCS = 64;

  private final Map<String, Producer> producersByMid;
  private final PublisherFeedback feedback;
  private final MediaStats stats;
  /** SSRC → layer; keyed by primitive int, it is looked up for every received packet. */
  private final IntObjectHashMap<Producer.Layer> layersBySsrc = new IntObjectHashMap<>();
  /** RTX SSRC → the layer it repairs (RFC 4588, SSRC-multiplexed). */
  private final IntObjectHashMap<Producer.Layer> rtxBySsrc = new IntObjectHashMap<>();
  private final RtpPacket view = new RtpPacket();
  private int midExtensionId = -1;
  private int ridExtensionId = -1;
  private int repairedRidExtensionId = -1;
  private int transportSeqExtensionId = -1;

  /** @param producersByMid the publisher's producers by mid, read here, changed by the owner */
  PublishDemux(Map<String, Producer> producersByMid, PublisherFeedback feedback, MediaStats stats) {
    this.producersByMid = producersByMid;
    this.stats = stats;
    this.feedback = feedback;
  }

  /** Learns the header-extension ids of a publish negotiation. */
  void negotiated(NegotiatedSession negotiated) {
    for (NegotiatedMedia m : negotiated.accepted()) {
      OptionalInt tcc = m.extensionId(RtpExtensionUris.TRANSPORT_WIDE_CC);
      if (tcc.isPresent()) {
        transportSeqExtensionId = tcc.getAsInt();
      }
      OptionalInt mid = m.extensionId(RtpExtensionUris.MID);
      if (mid.isPresent()) {
        midExtensionId = mid.getAsInt();
      }
      OptionalInt rid = m.extensionId(RtpExtensionUris.RID);
      if (rid.isPresent()) {
        ridExtensionId = rid.getAsInt();
      }
      OptionalInt rrid = m.extensionId(RtpExtensionUris.REPAIRED_RID);
      if (rrid.isPresent()) {
        repairedRidExtensionId = rrid.getAsInt();
      }
    }
  }

  /** The layer sending under {@code ssrc}, or null. */
  Producer.Layer layer(int ssrc) {
    return layersBySsrc.get(ssrc);
  }

  /** SSRCs the SDP declares: SIM layers in order, FID primaries as media and their pairs as RTX. */
  void declare(Producer p, NegotiatedMedia m) {
    List<Long> rtx = new ArrayList<>();
    Map<Long, Long> rtxOf = new LinkedHashMap<>();
    List<Long> primaries = new ArrayList<>();
    for (SsrcGroup g : m.ssrcGroups()) {
      if (g.semantics().equals(SsrcGroup.FID) && g.ssrcs().size() == 2) {
        rtx.add(g.ssrcs().get(1));
        rtxOf.put(g.ssrcs().get(0), g.ssrcs().get(1));
      }
    }
    for (SsrcGroup g : m.ssrcGroups()) {
      if (g.semantics().equals(SsrcGroup.SIM)) {
        primaries.addAll(g.ssrcs());
      }
    }
    if (primaries.isEmpty()) {
      for (Long s : m.ssrcs()) {
        if (!rtx.contains(s) && !primaries.contains(s)) {
          primaries.add(s);
        }
      }
    }
    int rank = 0;
    for (Long s : primaries) {
      Producer.Layer l = p.addLayer(s.intValue(), m.rids().size() > rank ? m.rids().get(rank) : null);
      layersBySsrc.put(s.intValue(), l);
      Long repair = rtxOf.get(s);
      if (repair != null) {
        rtxBySsrc.put(repair.intValue(), l);
      }
      rank++;
    }
  }

  /** Forgets a producer's SSRCs. */
  void forget(Producer p) {
    layersBySsrc.values().removeIf(l -> l.producer == p);
    rtxBySsrc.values().removeIf(l -> l.producer == p);
  }

  /** A decrypted RTP packet from the publisher in {@code buf[off, off+len)}. */
  void onRtp(byte[] buf, int off, int len) {
    try {
      view.wrap(buf, off, len);
    } catch (RtpFormatException e) {
      return;
    }
    long now = System.nanoTime();
    int ssrc = view.ssrc();
    if (transportSeqExtensionId > 0) {
      // Every packet counts for the estimate, RTX and padding-only probes included.
      int at = view.extensionOffset(transportSeqExtensionId);
      if (at >= 0 && view.extensionLength(transportSeqExtensionId) == 2) {
        feedback.arrived((buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff), ssrc, now);
      }
    }
    Producer.Layer layer = layersBySsrc.get(ssrc);
    if (layer != null) {
      layer.producer.onRtp(layer, view, now, false);
      feedback.sendNacks(layer, now);
      return;
    }
    layer = rtxBySsrc.get(ssrc);
    if (layer == null) {
      layer = learn(ssrc);
      if (layer == null) {
        return;
      }
      if (layersBySsrc.get(ssrc) == layer) {
        layer.producer.onRtp(layer, view, now, false);
        feedback.sendNacks(layer, now);
        return;
      }
    }
    var codec = layer.producer.media().codecForRtx(view.payloadType());
    // RFC 4588 §4; a padding-only probe repairs nothing.
    if (codec.isPresent() && RtxUnwrap.unwrap(view, layer.ssrc, codec.get().payloadType()) > 0) {
      stats.repairsReceived.increment();
      layer.producer.onRtp(layer, view, now, true);
    }
  }

  /** Finds the producer of an unannounced SSRC by its MID, then RID extension (RFC 8852). */
  private Producer.Layer learn(int ssrc) {
    if (midExtensionId < 0) {
      return null;
    }
    String mid = extensionText(midExtensionId);
    Producer p = mid == null ? null : producersByMid.get(mid);
    if (p == null) {
      return null;
    }
    if (layersBySsrc.size() + rtxBySsrc.size() > MAX_LEARNT_SSRCS) {
      return null; // bound what a misbehaving publisher can make us remember
    }
    String repairs = repairedRidExtensionId > 0 ? extensionText(repairedRidExtensionId) : null;
    if (repairs != null || p.media().codecForRtx(view.payloadType()).isPresent()) {
      // RTX: it repairs the layer its repaired RID names, or the only layer without simulcast.
      int rank = repairs == null ? 0 : p.media().rids().indexOf(repairs);
      for (Producer.Layer l : p.layers()) {
        if (l.rank == rank && (repairs != null || !p.media().simulcast())) {
          rtxBySsrc.put(ssrc, l);
          return l;
        }
      }
      return null;
    }
    String rid = ridExtensionId > 0 ? extensionText(ridExtensionId) : null;
    if (p.media().simulcast() && rid == null) {
      return null;
    }
    Producer.Layer l = p.addLayer(ssrc, rid);
    layersBySsrc.put(ssrc, l);
    return l;
  }

  private String extensionText(int id) {
    int at = view.extensionOffset(id);
    if (at < 0) {
      return null;
    }
    int n = view.extensionLength(id);
    return n <= 0 || n > 64 ? null : new String(view.buffer(), at, n, StandardCharsets.US_ASCII);
  }
}
