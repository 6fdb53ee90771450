package dev.fanout.rtp.srtp;

import dev.fanout.rtp.Bytes;
import dev.fanout.rtp.RtpFormatException;
import dev.fanout.rtp.RtpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP for one DTLS-SRTP association (RFC 3711, RFC 7714), on jitsi-srtp: protects what
 * this endpoint sends with the local keys and unprotects what it receives with the remote ones,
 * keeping one crypto context per SSRC and direction.
 *
 * <ul>
 *   <li>Unprotect works in place; the packet's length shrinks by the tag (and SRTCP index).
 *   <li>Protect works in place on a packet the caller owns (a rewritten scratch copy), or copies a
 *       shared plaintext into a caller-supplied buffer first, so that plaintext is never modified.
 *       Either way the buffer needs {@link #rtpOverhead()} / {@link #rtcpOverhead()} bytes of room
 *       after the packet, else {@link SrtpStatus#NO_ROOM}.
 *   <li>Replay protection is on for receiving (64-packet window). It is off for sending, where a
 *       retransmission legitimately repeats a sequence number.
 *   <li>A failed check is a {@link SrtpStatus} and a counter, never an exception.
 *   <li>A receive context for a new SSRC is kept only once a packet authenticates under it, and at
 *       most {@code maxStreams} are kept per direction, so unauthenticated traffic cannot grow
 *       memory.
 * </ul>
 *
 * <p>Not thread-safe: a session belongs to the event loop of its transport.
 */
public final class SrtpSession implements AutoCloseable {
  /** Default bound on tracked SSRCs per direction and kind. */
  public static final int DEFAULT_MAX_STREAMS = 64;
  /** The SRTCP index (with its E bit) that SRTCP appends before the tag. */
  private static final int SRTCP_INDEX_LENGTH = 4;
  private static final Logger LOGGER = new LoggerImpl(SrtpSession.class.getName());

  static {
    SrtpCrypto.preferOpenSsl();
  }

  private final SrtpProfile profile;
  private final int maxStreams;
  private final SrtpContextFactory sendFactory;
  private final SrtpContextFactory receiveFactory;
  private final IntObjectHashMap<SrtpCryptoContext> sendRtp = new IntObjectHashMap<>();
  private final IntObjectHashMap<SrtpCryptoContext> receiveRtp = new IntObjectHashMap<>();
  private final IntObjectHashMap<SrtcpCryptoContext> sendRtcp = new IntObjectHashMap<>();
  private final IntObjectHashMap<SrtcpCryptoContext> receiveRtcp = new IntObjectHashMap<>();
  private final PacketBuffer scratch = new PacketBuffer();
  private final int rtpTag;
  private final int rtcpTag;
  private final Stats stats = new Stats();

  private SrtpSession(SrtpKeys keys, int maxStreams) {
    this.profile = keys.profile();
    this.maxStreams = maxStreams;
    SrtpPolicy rtpPolicy = policy(profile, false);
    SrtpPolicy rtcpPolicy = policy(profile, true);
    this.rtpTag = rtpPolicy.getAuthTagLength();
    this.rtcpTag = rtcpPolicy.getAuthTagLength();
    this.sendFactory = new SrtpContextFactory(
        true, keys.localMasterKey(), keys.localMasterSalt(), rtpPolicy, rtcpPolicy, LOGGER);
    this.receiveFactory = new SrtpContextFactory(
        false, keys.remoteMasterKey(), keys.remoteMasterSalt(), policy(profile, false),
        policy(profile, true), LOGGER);
  }

  /** A session for the keys of a DTLS-SRTP association. */
  public static SrtpSession create(SrtpKeys keys) {
    return create(keys, DEFAULT_MAX_STREAMS);
  }

  public static SrtpSession create(SrtpKeys keys, int maxStreams) {
    if (maxStreams < 1) {
      throw new IllegalArgumentException("maxStreams " + maxStreams);
    }
    return new SrtpSession(keys, maxStreams);
  }

  /**
   * The jitsi-srtp policy for a profile: AES-GCM with its 16-byte tag and 12-byte salt (RFC 7714),
   * or AES-CM with HMAC-SHA1, whose SRTCP tag is 80 bits even for the _32 profile (RFC 5764
   * §4.1.2).
   */
  static SrtpPolicy policy(SrtpProfile profile, boolean rtcp) {
    SrtpPolicy policy;
    switch (profile) {
      case AEAD_AES_128_GCM:
        policy = new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, profile.keyLength(),
            SrtpPolicy.NULL_AUTHENTICATION, 0, 16, profile.saltLength());
        break;
      case AES_CM_128_HMAC_SHA1_80:
      case AES_CM_128_HMAC_SHA1_32:
        policy = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, profile.keyLength(),
            SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, rtcp ? 10 : profile.rtpAuthTagLength(),
            profile.saltLength());
        break;
      default:
        throw new IllegalArgumentException(String.valueOf(profile));
    }
    policy.setReceiveReplayEnabled(true);
    policy.setSendReplayEnabled(false);
    return policy;
  }

  public SrtpProfile profile() {
    return profile;
  }

  /** Bytes SRTP adds to an RTP packet: the room protect needs after it. */
  public int rtpOverhead() {
    return rtpTag;
  }

  /** Bytes SRTCP adds to an RTCP packet: index and tag. */
  public int rtcpOverhead() {
    return SRTCP_INDEX_LENGTH + rtcpTag;
  }

  public Stats stats() {
    return stats;
  }

  /** What {@link #unprotect} found in a datagram. */
  public enum Unprotected {
    /** An RTP packet, now in the clear. */
    RTP,
    /** A compound RTCP packet, now in the clear. */
    RTCP,
    /** Neither: it failed authentication, replay protection or decoding (counted in {@link #stats}). */
    DROPPED
  }

  /**
   * Unprotects a datagram of the RTP/RTCP class in place, SRTP or SRTCP as its second byte says
   * (RFC 5761 §4, {@link dev.fanout.rtp.rtcp.Rtcp#isRtcp}); on success {@code pkt}'s length is
   * the plain packet's.
   */
  public Unprotected unprotect(PacketBuffer pkt) {
    if (dev.fanout.rtp.rtcp.Rtcp.isRtcp(pkt.getBuffer(), pkt.getOffset(), pkt.getLength())) {
      return unprotectRtcp(pkt) == SrtpStatus.OK ? Unprotected.RTCP : Unprotected.DROPPED;
    }
    return unprotectRtp(pkt) == SrtpStatus.OK ? Unprotected.RTP : Unprotected.DROPPED;
  }

  // ---- RTP --------------------------------------------------------------------------------

  /**
   * Unprotects an SRTP packet in place; on {@link SrtpStatus#OK} {@code pkt}'s length is the RTP
   * packet's.
   */
  public SrtpStatus unprotectRtp(PacketBuffer pkt) {
    byte[] b = pkt.getBuffer();
    int off = pkt.getOffset();
    int len = pkt.getLength();
    try {
      RtpHeader.clearHeaderLength(b, off, len - rtpTag);
    } catch (RtpFormatException e) {
      return count(SrtpStatus.MALFORMED);
    }
    int ssrc = RtpHeader.ssrc(b, off);
    SrtpCryptoContext context = receiveRtp.get(ssrc);
    boolean fresh = false;
    if (context == null) {
      if (receiveRtp.size() >= maxStreams) {
        return count(SrtpStatus.TOO_MANY_STREAMS);
      }
      try {
        context = receiveFactory.deriveContext(ssrc, 0);
      } catch (GeneralSecurityException e) {
        return count(SrtpStatus.CRYPTO_ERROR);
      }
      fresh = true;
    }
    SrtpStatus status;
    try {
      status = map(context.reverseTransformPacket(pkt, false));
    } catch (GeneralSecurityException | RuntimeException e) {
      status = SrtpStatus.CRYPTO_ERROR;
    }
    if (status == SrtpStatus.OK) {
      stats.rtpUnprotected++;
      if (fresh) {
        receiveRtp.put(ssrc, context);
      }
      return SrtpStatus.OK;
    }
    pkt.setLength(len);
    return count(status);
  }

  /** Unprotects the readable bytes of a heap buffer in place, moving its writer index. */
  public SrtpStatus unprotectRtp(ByteBuf buf) {
    SrtpStatus status = unprotectRtp(scratch.wrap(buf));
    if (status == SrtpStatus.OK) {
      buf.writerIndex(buf.readerIndex() + scratch.getLength());
    }
    return status;
  }

  /**
   * Protects an RTP packet the caller owns in place: the payload is encrypted and the tag
   * appended, so {@code pkt} needs {@link #rtpOverhead()} bytes of room.
   */
  public SrtpStatus protectRtp(PacketBuffer pkt) {
    byte[] b = pkt.getBuffer();
    int off = pkt.getOffset();
    int len = pkt.getLength();
    if (pkt.capacity() - len < rtpTag) {
      return count(SrtpStatus.NO_ROOM);
    }
    try {
      RtpHeader.clearHeaderLength(b, off, len);
    } catch (RtpFormatException e) {
      return count(SrtpStatus.MALFORMED);
    }
    int ssrc = RtpHeader.ssrc(b, off);
    SrtpCryptoContext context = sendRtp.get(ssrc);
    if (context == null) {
      if (sendRtp.size() >= maxStreams) {
        return count(SrtpStatus.TOO_MANY_STREAMS);
      }
      try {
        context = sendFactory.deriveContext(ssrc, 0);
      } catch (GeneralSecurityException e) {
        return count(SrtpStatus.CRYPTO_ERROR);
      }
      sendRtp.put(ssrc, context);
    }
    SrtpStatus status;
    try {
      status = map(context.transformPacket(pkt));
    } catch (GeneralSecurityException | RuntimeException e) {
      status = SrtpStatus.CRYPTO_ERROR;
    }
    if (status == SrtpStatus.OK) {
      stats.rtpProtected++;
      return status;
    }
    return count(status);
  }

  /**
   * Copies the RTP packet {@code src[off, off + len)} into {@code dst} (at its offset) and
   * protects the copy: {@code src} is left as it was.
   */
  public SrtpStatus protectRtp(byte[] src, int off, int len, PacketBuffer dst) {
    if (dst.capacity() < len + rtpTag) {
      return count(SrtpStatus.NO_ROOM);
    }
    System.arraycopy(src, off, dst.getBuffer(), dst.getOffset(), len);
    dst.setLength(len);
    return protectRtp(dst);
  }

  /** Protects the readable bytes of a heap buffer in place, growing it for the tag. */
  public SrtpStatus protectRtp(ByteBuf buf) {
    buf.ensureWritable(rtpTag);
    SrtpStatus status = protectRtp(scratch.wrap(buf));
    if (status == SrtpStatus.OK) {
      buf.writerIndex(buf.readerIndex() + scratch.getLength());
    }
    return status;
  }

  // ---- RTCP -------------------------------------------------------------------------------

  /** Unprotects an SRTCP packet in place; on OK the length is the compound RTCP packet's. */
  public SrtpStatus unprotectRtcp(PacketBuffer pkt) {
    byte[] b = pkt.getBuffer();
    int off = pkt.getOffset();
    int len = pkt.getLength();
    if (len < 8 + SRTCP_INDEX_LENGTH + rtcpTag || (b[off] & 0xc0) != 0x80) {
      return count(SrtpStatus.MALFORMED);
    }
    int ssrc = Bytes.i32(b, off + 4);
    SrtcpCryptoContext context = receiveRtcp.get(ssrc);
    boolean fresh = false;
    if (context == null) {
      if (receiveRtcp.size() >= maxStreams) {
        return count(SrtpStatus.TOO_MANY_STREAMS);
      }
      try {
        context = receiveFactory.deriveControlContext(ssrc);
      } catch (GeneralSecurityException e) {
        return count(SrtpStatus.CRYPTO_ERROR);
      }
      fresh = true;
    }
    SrtpStatus status;
    try {
      status = map(context.reverseTransformPacket(pkt));
    } catch (GeneralSecurityException | RuntimeException e) {
      status = SrtpStatus.CRYPTO_ERROR;
    }
    if (status == SrtpStatus.OK) {
      stats.rtcpUnprotected++;
      if (fresh) {
        receiveRtcp.put(ssrc, context);
      }
      return status;
    }
    pkt.setLength(len);
    return count(status);
  }

  public SrtpStatus unprotectRtcp(ByteBuf buf) {
    SrtpStatus status = unprotectRtcp(scratch.wrap(buf));
    if (status == SrtpStatus.OK) {
      buf.writerIndex(buf.readerIndex() + scratch.getLength());
    }
    return status;
  }

  /** Protects a (compound) RTCP packet the caller owns in place, appending index and tag. */
  public SrtpStatus protectRtcp(PacketBuffer pkt) {
    byte[] b = pkt.getBuffer();
    int off = pkt.getOffset();
    int len = pkt.getLength();
    if (pkt.capacity() - len < rtcpOverhead()) {
      return count(SrtpStatus.NO_ROOM);
    }
    if (len < 8 || (b[off] & 0xc0) != 0x80) {
      return count(SrtpStatus.MALFORMED);
    }
    int ssrc = Bytes.i32(b, off + 4);
    SrtcpCryptoContext context = sendRtcp.get(ssrc);
    if (context == null) {
      if (sendRtcp.size() >= maxStreams) {
        return count(SrtpStatus.TOO_MANY_STREAMS);
      }
      try {
        context = sendFactory.deriveControlContext(ssrc);
      } catch (GeneralSecurityException e) {
        return count(SrtpStatus.CRYPTO_ERROR);
      }
      sendRtcp.put(ssrc, context);
    }
    SrtpStatus status;
    try {
      status = map(context.transformPacket(pkt));
    } catch (GeneralSecurityException | RuntimeException e) {
      status = SrtpStatus.CRYPTO_ERROR;
    }
    if (status == SrtpStatus.OK) {
      stats.rtcpProtected++;
      return status;
    }
    return count(status);
  }

  /** Copies {@code src[off, off + len)} into {@code dst} and protects the copy. */
  public SrtpStatus protectRtcp(byte[] src, int off, int len, PacketBuffer dst) {
    if (dst.capacity() < len + rtcpOverhead()) {
      return count(SrtpStatus.NO_ROOM);
    }
    System.arraycopy(src, off, dst.getBuffer(), dst.getOffset(), len);
    dst.setLength(len);
    return protectRtcp(dst);
  }

  public SrtpStatus protectRtcp(ByteBuf buf) {
    buf.ensureWritable(rtcpOverhead());
    SrtpStatus status = protectRtcp(scratch.wrap(buf));
    if (status == SrtpStatus.OK) {
      buf.writerIndex(buf.readerIndex() + scratch.getLength());
    }
    return status;
  }

  // ---- streams ----------------------------------------------------------------------------

  /** Forgets the contexts of an SSRC in both directions (after a BYE or an unpublish). */
  public void removeStream(int ssrc) {
    sendRtp.remove(ssrc);
    receiveRtp.remove(ssrc);
    sendRtcp.remove(ssrc);
    receiveRtcp.remove(ssrc);
  }

  /**
   * Whether unprotecting a packet from {@code ssrc} would first derive a new receive context (a
   * key derivation, paid before the packet's tag can be checked): no authentic packet has come
   * from that SSRC yet and the stream cap is not reached. Lets a caller budget that cost.
   */
  public boolean wouldDeriveReceiveContext(int ssrc, boolean rtcp) {
    return rtcp
        ? !receiveRtcp.containsKey(ssrc) && receiveRtcp.size() < maxStreams
        : !receiveRtp.containsKey(ssrc) && receiveRtp.size() < maxStreams;
  }

  /** SSRCs with a receive RTP context: those that have sent an authentic packet. */
  public List<Integer> receivingSsrcs() {
    return new ArrayList<>(receiveRtp.keySet());
  }

  @Override
  public void close() {
    sendRtp.clear();
    receiveRtp.clear();
    sendRtcp.clear();
    receiveRtcp.clear();
    sendFactory.close();
    receiveFactory.close();
  }

  private static SrtpStatus map(SrtpErrorStatus status) {
    switch (status) {
      case OK:
        return SrtpStatus.OK;
      case AUTH_FAIL:
        return SrtpStatus.AUTH_FAILED;
      case REPLAY_FAIL:
      case REPLAY_OLD:
        return SrtpStatus.REPLAYED;
      case INVALID_PACKET:
        return SrtpStatus.MALFORMED;
      default:
        return SrtpStatus.CRYPTO_ERROR;
    }
  }

  private SrtpStatus count(SrtpStatus status) {
    switch (status) {
      case AUTH_FAILED:
        stats.authFailures++;
        break;
      case REPLAYED:
        stats.replays++;
        break;
      case MALFORMED:
        stats.malformed++;
        break;
      default:
        stats.otherDrops++;
        break;
    }
    return status;
  }

  /**
   * Packet counters of a session. Written by its event loop only; reads from another thread see
   * recent, not necessarily current, values.
   */
  public static final class Stats {
    long rtpProtected;
    long rtpUnprotected;
    long rtcpProtected;
    long rtcpUnprotected;
    long authFailures;
    long replays;
    long malformed;
    long otherDrops;

    public long rtpProtected() {
      return rtpProtected;
    }

    public long rtpUnprotected() {
      return rtpUnprotected;
    }

    public long rtcpProtected() {
      return rtcpProtected;
    }

    public long rtcpUnprotected() {
      return rtcpUnprotected;
    }

    /** Packets dropped because their tag did not verify. */
    public long authFailures() {
      return authFailures;
    }

    /** Packets dropped as replays (or too old for the window). */
    public long replays() {
      return replays;
    }

    /** Packets dropped as too short or with a header that does not fit. */
    public long malformed() {
      return malformed;
    }

    /** Drops for want of room, too many streams, or a cipher error. */
    public long otherDrops() {
      return otherDrops;
    }

    public long drops() {
      return authFailures + replays + malformed + otherDrops;
    }
  }
}
