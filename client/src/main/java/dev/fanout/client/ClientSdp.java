package dev.fanout.client;

import dev.fanout.sdp.Candidate;
import dev.fanout.sdp.Direction;
import dev.fanout.sdp.Extmap;
import dev.fanout.sdp.Fingerprint;
import dev.fanout.sdp.Fmtp;
import dev.fanout.sdp.Group;
import dev.fanout.sdp.MediaDescription;
import dev.fanout.sdp.MediaKind;
import dev.fanout.sdp.MediaLine;
import dev.fanout.sdp.Msid;
import dev.fanout.sdp.Origin;
import dev.fanout.sdp.RtcpFeedback;
import dev.fanout.sdp.RtpExtensionUris;
import dev.fanout.sdp.Rtpmap;
import dev.fanout.sdp.SdpLine;
import dev.fanout.sdp.SdpParseException;
import dev.fanout.sdp.SdpParser;
import dev.fanout.sdp.SdpWriter;
import dev.fanout.sdp.SessionDescription;
import dev.fanout.sdp.SsrcAttribute;
import dev.fanout.sdp.SsrcGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The client's side of JSEP (RFC 8829) with the {@code sdp} module: the publish connection's
 * offer, the subscribe connection's answer, and what the client reads from the server's SDP.
 * Shaped like what Chromium writes, minus what the server ignores.
 */
final class ClientSdp {
  static final String PROTO = "UDP/TLS/RTP/SAVPF";
  static final int OPUS_PT = 111;
  static final int VP8_PT = 96;
  static final int VP8_RTX_PT = 97;

  private ClientSdp() {}

  /** Where and how to reach the server, read from its offer or answer. */
  record ServerTransport(InetSocketAddress candidate, String ufrag, String password,
      List<dev.fanout.dtls.Fingerprint> fingerprints) {}

  static SessionDescription parse(String sdp) throws SdpParseException {
    return SdpParser.parse(sdp);
  }

  /**
   * The publish offer: one section per track ever published, in mid order; sections of tracks
   * that are no longer published are {@code inactive}, as a stopped transceiver's are.
   */
  static String publishOffer(long sessionId, long version, ClientTransport transport,
      dev.fanout.dtls.Fingerprint fingerprint, String cname, String streamId, List<LocalTrack> tracks,
      Set<LocalTrack> live) {
    SessionDescription.Builder sd = SessionDescription.builder().standardHeader(Origin.of(sessionId, version));
    List<String> mids = new ArrayList<>();
    for (LocalTrack t : tracks) {
      mids.add(t.mid());
    }
    sd.line(new Group(Group.BUNDLE, mids).line());
    sd.attribute("msid-semantic", "WMS " + streamId);
    for (LocalTrack t : tracks) {
      boolean video = t.kind() == MediaKind.VIDEO;
      List<String> formats = video ? List.of(Integer.toString(VP8_PT), Integer.toString(VP8_RTX_PT))
          : List.of(Integer.toString(OPUS_PT));
      MediaDescription.Builder m = MediaDescription.builder(MediaLine.of(t.kind().sdpName(), 9, PROTO, formats));
      transport(m, transport, fingerprint, "actpass");
      m.attribute("mid", t.mid());
      if (video) {
        m.line(Extmap.of(2, RtpExtensionUris.ABS_SEND_TIME).line());
        m.line(Extmap.of(3, RtpExtensionUris.TRANSPORT_WIDE_CC).line());
        m.line(Extmap.of(4, RtpExtensionUris.MID).line());
        m.line(Extmap.of(10, RtpExtensionUris.RID).line());
        m.line(Extmap.of(11, RtpExtensionUris.REPAIRED_RID).line());
      } else {
        m.line(Extmap.of(1, RtpExtensionUris.SSRC_AUDIO_LEVEL).line());
        m.line(Extmap.of(2, RtpExtensionUris.ABS_SEND_TIME).line());
        m.line(Extmap.of(3, RtpExtensionUris.TRANSPORT_WIDE_CC).line());
        m.line(Extmap.of(4, RtpExtensionUris.MID).line());
      }
      boolean sending = live.contains(t);
      m.attribute((sending ? Direction.SENDONLY : Direction.INACTIVE).token());
      Msid msid = new Msid(streamId, t.msidTrack());
      if (sending) {
        m.line(msid.line());
      }
      m.attribute("rtcp-mux");
      m.attribute("rtcp-rsize");
      if (video) {
        m.line(new Rtpmap(VP8_PT, "VP8", 90000, 0).line());
        for (String fb : List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli")) {
          m.attribute(RtcpFeedback.NAME, VP8_PT + " " + fb);
        }
        m.line(new Rtpmap(VP8_RTX_PT, "rtx", 90000, 0).line());
        m.line(new Fmtp(VP8_RTX_PT, "apt=" + VP8_PT).line());
      } else {
        m.line(new Rtpmap(OPUS_PT, "opus", 48000, 2).line());
        m.attribute(RtcpFeedback.NAME, OPUS_PT + " transport-cc");
        m.line(new Fmtp(OPUS_PT, "minptime=10;useinbandfec=1").line());
      }
      if (sending) {
        long ssrc = Integer.toUnsignedLong(t.ssrc());
        if (video) {
          long rtx = Integer.toUnsignedLong(t.rtxSsrc());
          m.line(new SsrcGroup(SsrcGroup.FID, List.of(ssrc, rtx)).line());
          m.line(new SsrcAttribute(ssrc, "cname", cname).line());
          m.line(new SsrcAttribute(rtx, "cname", cname).line());
        } else {
          m.line(new SsrcAttribute(ssrc, "cname", cname).line());
        }
      }
      sd.media(m.build());
    }
    return SdpWriter.write(sd.build());
  }

  /**
   * The answer to a subscribe offer: every offered section answered in order, {@code recvonly}
   * where the server sends and {@code inactive} where it does not, accepting every codec, feedback
   * type and header extension it offers (the client hands raw RTP to its user, so it can take
   * anything) except RTX when {@code acceptRtx} is false; rejected sections stay rejected.
   */
  static String subscribeAnswer(SessionDescription offer, long sessionId, long version, ClientTransport transport,
      dev.fanout.dtls.Fingerprint fingerprint, boolean acceptRtx) {
    SessionDescription.Builder sd = SessionDescription.builder().standardHeader(Origin.of(sessionId, version));
    List<String> bundled = new ArrayList<>();
    for (MediaDescription o : offer.media()) {
      if (!o.isRejected()) {
        bundled.add(o.mid().orElseThrow());
      }
    }
    if (!bundled.isEmpty()) {
      sd.line(new Group(Group.BUNDLE, bundled).line());
    }
    for (MediaDescription o : offer.media()) {
      String mid = o.mid().orElseThrow();
      MediaLine ol = o.mediaLine();
      if (o.isRejected()) {
        MediaDescription.Builder m = MediaDescription.builder(MediaLine.of(ol.kind(), 0, ol.proto(), ol.formats()));
        m.connection("0.0.0.0");
        m.attribute("mid", mid);
        sd.media(m.build());
        continue;
      }
      List<String> formats = new ArrayList<>();
      for (String f : ol.formats()) {
        Optional<Rtpmap> r = o.rtpmap(Integer.parseInt(f));
        if (acceptRtx || r.isEmpty() || !r.get().encodingName().equalsIgnoreCase("rtx")) {
          formats.add(f);
        }
      }
      MediaDescription.Builder m = MediaDescription.builder(MediaLine.of(ol.kind(), 9, ol.proto(), formats));
      transport(m, transport, fingerprint, "active");
      m.attribute("mid", mid);
      for (Extmap e : o.extmaps()) {
        m.line(Extmap.of(e.id(), e.uri()).line());
      }
      Direction offered = offer.direction(o);
      m.attribute(Direction.of(false, offered.sends()).token());
      m.attribute("rtcp-mux");
      if (o.rtcpReducedSize()) {
        m.attribute("rtcp-rsize");
      }
      for (Rtpmap r : o.rtpmaps()) {
        if (!formats.contains(Integer.toString(r.payloadType()))) {
          continue;
        }
        m.line(r.line());
        for (RtcpFeedback f : o.rtcpFeedback(r.payloadType())) {
          m.line(f.line());
        }
        o.fmtp(r.payloadType()).ifPresent(f -> m.line(f.line()));
      }
      sd.media(m.build());
    }
    return SdpWriter.write(sd.build());
  }

  private static void transport(MediaDescription.Builder m, ClientTransport t, dev.fanout.dtls.Fingerprint fp,
      String setup) {
    m.connection("0.0.0.0");
    m.attribute("ice-ufrag", t.iceUfrag());
    m.attribute("ice-pwd", t.icePassword());
    m.line(new SdpLine('a', Fingerprint.NAME + ":" + fp.toSdp()));
    m.attribute("setup", setup);
  }

  /**
   * The server's transport from its SDP: the first section's ICE credentials and fingerprints,
   * and its first UDP candidate.
   */
  static ServerTransport serverTransport(SessionDescription sd) throws SdpParseException {
    MediaDescription first = null;
    for (MediaDescription m : sd.media()) {
      if (!m.isRejected()) {
        first = m;
        break;
      }
    }
    if (first == null) {
      throw new SdpParseException(0, "the server's SDP has no usable media section");
    }
    String ufrag = sd.iceUfrag(first).orElseThrow(() -> new SdpParseException(0, "the server's SDP has no a=ice-ufrag"));
    String pwd = sd.icePwd(first).orElseThrow(() -> new SdpParseException(0, "the server's SDP has no a=ice-pwd"));
    List<dev.fanout.dtls.Fingerprint> fps = new ArrayList<>();
    for (Fingerprint f : sd.fingerprints(first)) {
      try {
        fps.add(dev.fanout.dtls.Fingerprint.parse(f.attributeValue()));
      } catch (IllegalArgumentException e) {
        // a hash function we do not know; another line may do
      }
    }
    InetSocketAddress candidate = null;
    for (Candidate c : first.candidates()) {
      if (c.transport().equalsIgnoreCase("udp") && c.component() == 1) {
        try {
          candidate = new InetSocketAddress(InetAddress.getByName(c.address()), c.port());
          break;
        } catch (UnknownHostException e) {
          // an mDNS name or similar: try the next one
        }
      }
    }
    if (candidate == null) {
      throw new SdpParseException(0, "the server's SDP has no UDP candidate with an IP address");
    }
    return new ServerTransport(candidate, ufrag, pwd, fps);
  }

  /** The payload type the answer accepted for {@code codec} in section {@code mid}, or -1. */
  static int acceptedPayloadType(SessionDescription answer, String mid, String codec) {
    Optional<MediaDescription> m = answer.mediaByMid(mid);
    if (m.isEmpty() || m.get().isRejected()) {
      return -1;
    }
    for (Rtpmap r : m.get().rtpmaps()) {
      if (r.encodingName().equalsIgnoreCase(codec)) {
        return r.payloadType();
      }
    }
    return -1;
  }

  /** What a subscribe offer says about the track in section {@code mid}; null when inactive. */
  static RemoteTrack remoteTrack(SessionDescription offer, String mid, String trackId, String identity,
      boolean acceptRtx) {
    Optional<MediaDescription> om = offer.mediaByMid(mid);
    if (om.isEmpty() || om.get().isRejected() || !offer.direction(om.get()).sends()) {
      return null;
    }
    MediaDescription m = om.get();
    MediaKind kind = MediaKind.fromSdp(m.kind());
    int ssrc = 0;
    int rtx = 0;
    for (SsrcGroup g : m.ssrcGroups()) {
      if (g.semantics().equals(SsrcGroup.FID) && g.ssrcs().size() == 2) {
        ssrc = g.ssrcs().get(0).intValue();
        rtx = g.ssrcs().get(1).intValue();
      }
    }
    if (ssrc == 0 && !m.ssrcs().isEmpty()) {
      ssrc = m.ssrcs().get(0).intValue();
    }
    int pt = -1;
    String codec = null;
    int clockRate = 0;
    int rtxPt = -1;
    List<String> formats = m.mediaLine().formats();
    for (String f : formats) {
      int p = Integer.parseInt(f);
      Optional<Rtpmap> r = m.rtpmap(p);
      if (r.isPresent() && !isAuxiliary(r.get().encodingName())) {
        pt = p;
        codec = r.get().encodingName();
        clockRate = r.get().clockRate();
        break;
      }
    }
    for (Fmtp f : m.fmtps()) {
      Optional<Rtpmap> r = m.rtpmap(f.payloadType());
      if (r.isPresent() && r.get().encodingName().equalsIgnoreCase("rtx")
          && String.valueOf(pt).equals(f.parameters().get("apt"))) {
        rtxPt = f.payloadType();
      }
    }
    if (!acceptRtx || rtxPt < 0) {
      rtx = 0;
      rtxPt = -1;
    }
    return new RemoteTrack(trackId, identity, mid, kind, ssrc, rtx, pt, codec, rtxPt, clockRate);
  }

  private static boolean isAuxiliary(String encoding) {
    String e = encoding.toLowerCase(Locale.ROOT);
    return e.equals("rtx") || e.equals("red") || e.equals("ulpfec") || e.equals("flexfec-03");
  }
}
