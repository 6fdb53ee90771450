package dev.fanout.rtp.srtp;

import static dev.fanout.rtp.srtp.SrtpReference.concat;
import static dev.fanout.rtp.srtp.SrtpReference.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.rtp.Hex;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReceiverReport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpSessionTest {
  private static final byte[] MATERIAL_GCM = Hex.bytes(
      "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f"
          + "202122232425262728292a2b 303132333435363738393a3b");
  private static final byte[] MATERIAL_CM = Hex.bytes(
      "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f"
          + "202122232425262728292a2b2c2d 303132333435363738393a3b3c3d");

  static SrtpKeys keys(SrtpProfile profile, boolean client) {
    byte[] material = profile == SrtpProfile.AEAD_AES_128_GCM ? MATERIAL_GCM : MATERIAL_CM;
    return SrtpKeys.fromDtlsExport(profile, material, client);
  }

  static byte[] rtp(int ssrc, int seq, int payloadLength) {
    byte[] payload = new byte[payloadLength];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 7 + seq);
    }
    return new RtpWriter().payloadType(96).sequenceNumber(seq).timestamp(seq * 3000L).ssrc(ssrc)
        .extension(1, new byte[] {(byte) seq}).payload(payload).toByteArray();
  }

  @Test
  void openSslIsLoadedOnThisMachine() {
    // Not a requirement of the code, but the benchmarks and these vectors assume it here.
    assertThat(SrtpCrypto.preferOpenSsl()).isTrue();
  }

  /** RFC 7714 §8 through the session, checked against the reference under RFC 3711 derivation. */
  @Test
  void gcmRtpThroughTheSessionMatchesTheRfc7714Construction() throws Exception {
    SrtpKeys keys = keys(SrtpProfile.AEAD_AES_128_GCM, true);
    byte[] packet = rtp(0x11223344, 0xfffe, 100);
    byte[] out = new byte[packet.length + 16];
    try (SrtpSession s = SrtpSession.create(keys)) {
      assertThat(s.protectRtp(packet, 0, packet.length, new PacketBuffer(out, 0, 0))).isEqualTo(SrtpStatus.OK);
    }
    byte[] k = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 0, 16);
    byte[] salt = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 2, 12);
    int header = new RtpPacket().wrap(packet).headerLength();
    byte[] sealed = SrtpReference.gcmSeal(k, SrtpReference.gcmIv(salt, 0x11223344, 0xfffe),
        slice(packet, 0, header), slice(packet, header, packet.length));
    assertThat(Hex.of(out)).isEqualTo(Hex.of(concat(slice(packet, 0, header), sealed)));
  }

  /** RFC 7714 §9 through the session: header and E‖index are the AAD, the index follows the tag. */
  @Test
  void gcmRtcpThroughTheSessionMatchesTheRfc7714Construction() throws Exception {
    SrtpKeys keys = keys(SrtpProfile.AEAD_AES_128_GCM, false);
    byte[] rtcp = new ReceiverReport(0x4d617273, List.of()).toByteArray();
    byte[] out = new byte[rtcp.length + 20];
    PacketBuffer pkt = new PacketBuffer(out, 0, 0);
    try (SrtpSession s = SrtpSession.create(keys)) {
      assertThat(s.protectRtcp(rtcp, 0, rtcp.length, pkt)).isEqualTo(SrtpStatus.OK);
    }
    assertThat(pkt.getLength()).isEqualTo(rtcp.length + 20);
    byte[] index = slice(out, out.length - 4, out.length);
    assertThat(index[0] & 0x80).as("E bit").isEqualTo(0x80);
    long srtcpIndex = SrtpReference.be32(0)[0] | (((index[0] & 0x7fL) << 24) | ((index[1] & 0xffL) << 16)
        | ((index[2] & 0xffL) << 8) | (index[3] & 0xffL));
    byte[] k = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 3, 16);
    byte[] salt = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 5, 12);
    byte[] sealed = SrtpReference.gcmSeal(k, SrtpReference.gcmIv(salt, 0x4d617273, srtcpIndex),
        concat(slice(rtcp, 0, 8), index), slice(rtcp, 8, rtcp.length));
    assertThat(Hex.of(out)).isEqualTo(Hex.of(concat(slice(rtcp, 0, 8), sealed, index)));
  }

  /** RFC 3711 §3.4 through the session: SRTCP with AES-CM, the index and tag after the packet. */
  @Test
  void cmRtcpThroughTheSessionMatchesTheRfc3711Construction() throws Exception {
    SrtpKeys keys = keys(SrtpProfile.AES_CM_128_HMAC_SHA1_32, true);
    byte[] rtcp = new PictureLossIndication(0x01020304, 0x0a0b0c0d).toByteArray();
    byte[] out = new byte[rtcp.length + 14];
    try (SrtpSession s = SrtpSession.create(keys)) {
      assertThat(s.rtcpOverhead()).isEqualTo(14); // SRTCP keeps an 80-bit tag with _32
      assertThat(s.protectRtcp(rtcp, 0, rtcp.length, new PacketBuffer(out, 0, 0))).isEqualTo(SrtpStatus.OK);
    }
    byte[] index = slice(out, rtcp.length, rtcp.length + 4);
    long srtcpIndex = ((index[0] & 0x7fL) << 24) | ((index[1] & 0xffL) << 16) | ((index[2] & 0xffL) << 8)
        | (index[3] & 0xffL);
    byte[] k = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 3, 16);
    byte[] a = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 4, 20);
    byte[] salt = SrtpReference.derive(keys.localMasterKey(), keys.localMasterSalt(), 5, 14);
    byte[] encrypted = SrtpReference.aesCtr(k, SrtpReference.cmIv(salt, 0x01020304, srtcpIndex),
        slice(rtcp, 8, rtcp.length));
    byte[] authenticated = concat(slice(rtcp, 0, 8), encrypted, index);
    byte[] tag = slice(SrtpReference.hmacSha1(a, authenticated), 0, 10);
    assertThat(Hex.of(out)).isEqualTo(Hex.of(concat(authenticated, tag)));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void protectThenUnprotectRestoresEveryPacketAcrossTheRolloverOfSequenceNumbers(SrtpProfile profile) {
    try (SrtpSession client = SrtpSession.create(keys(profile, true));
        SrtpSession server = SrtpSession.create(keys(profile, false))) {
      PacketBuffer pkt = new PacketBuffer();
      byte[] buf = new byte[1500];
      for (int i = 0; i < 40; i++) {
        int seq = (65520 + i) & 0xffff;
        byte[] plain = rtp(0xcafe, seq, 1200);
        assertThat(client.protectRtp(plain, 0, plain.length, pkt.wrap(buf, 0, 0))).isEqualTo(SrtpStatus.OK);
        assertThat(pkt.getLength()).isEqualTo(plain.length + profile.rtpAuthTagLength());
        assertThat(server.unprotectRtp(pkt)).as("seq %d", seq).isEqualTo(SrtpStatus.OK);
        assertThat(Arrays.copyOfRange(buf, 0, pkt.getLength())).isEqualTo(plain);
      }
      byte[] rtcp = new ReceiverReport(0xbeef, List.of()).toByteArray();
      for (int i = 0; i < 3; i++) {
        assertThat(server.protectRtcp(rtcp, 0, rtcp.length, pkt.wrap(buf, 100, 0))).isEqualTo(SrtpStatus.OK);
        assertThat(client.unprotectRtcp(pkt)).isEqualTo(SrtpStatus.OK);
        assertThat(Arrays.copyOfRange(buf, 100, 100 + pkt.getLength())).isEqualTo(rtcp);
      }
      assertThat(server.stats().rtpUnprotected()).isEqualTo(40);
      assertThat(client.stats().rtcpUnprotected()).isEqualTo(3);
      assertThat(server.stats().drops()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void aReplayIsACountedDropAndTheBufferIsUntouched(SrtpProfile profile) {
    try (SrtpSession client = SrtpSession.create(keys(profile, true));
        SrtpSession server = SrtpSession.create(keys(profile, false))) {
      byte[] plain = rtp(7, 100, 50);
      byte[] buf = new byte[200];
      PacketBuffer pkt = new PacketBuffer(buf, 0, 0);
      client.protectRtp(plain, 0, plain.length, pkt);
      byte[] wire = Arrays.copyOf(buf, pkt.getLength());

      assertThat(server.unprotectRtp(pkt)).isEqualTo(SrtpStatus.OK);
      System.arraycopy(wire, 0, buf, 0, wire.length);
      pkt.wrap(buf, 0, wire.length);
      assertThat(server.unprotectRtp(pkt)).isEqualTo(SrtpStatus.REPLAYED);
      assertThat(pkt.getLength()).isEqualTo(wire.length);
      assertThat(server.stats().replays()).isEqualTo(1);

      byte[] rtcp = new ReceiverReport(9, List.of()).toByteArray();
      client.protectRtcp(rtcp, 0, rtcp.length, pkt.wrap(buf, 0, 0));
      byte[] rtcpWire = Arrays.copyOf(buf, pkt.getLength());
      assertThat(server.unprotectRtcp(pkt)).isEqualTo(SrtpStatus.OK);
      assertThat(server.unprotectRtcp(pkt.wrap(rtcpWire, 0, rtcpWire.length))).isEqualTo(SrtpStatus.REPLAYED);
      assertThat(server.stats().replays()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void aTamperedPacketFailsAuthenticationAndItsSsrcIsNotRemembered(SrtpProfile profile) {
    try (SrtpSession client = SrtpSession.create(keys(profile, true));
        SrtpSession server = SrtpSession.create(keys(profile, false))) {
      byte[] plain = rtp(0x5555, 1, 80);
      byte[] buf = new byte[200];
      PacketBuffer pkt = new PacketBuffer(buf, 0, 0);
      client.protectRtp(plain, 0, plain.length, pkt);
      buf[20] ^= 1;
      assertThat(server.unprotectRtp(pkt)).isEqualTo(SrtpStatus.AUTH_FAILED);
      assertThat(server.stats().authFailures()).isEqualTo(1);
      assertThat(server.receivingSsrcs()).isEmpty();

      // the wrong direction's keys do not verify either
      byte[] again = new byte[200];
      PacketBuffer other = new PacketBuffer(again, 0, 0);
      client.protectRtp(rtp(0x5555, 2, 80), 0, plain.length, other);
      assertThat(client.unprotectRtp(other)).isEqualTo(SrtpStatus.AUTH_FAILED);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(SrtpProfile.class)
  void unprotectTellsSrtpFromSrtcpByTheSecondByte(SrtpProfile profile) {
    try (SrtpSession sender = SrtpSession.create(keys(profile, true));
        SrtpSession receiver = SrtpSession.create(keys(profile, false))) {
      byte[] media = rtp(0x1234, 7, 300);
      byte[] rtcp = dev.fanout.rtp.rtcp.RtcpCompound.toByteArray(
          java.util.List.of(new ReceiverReport(0x55, java.util.List.of()), new PictureLossIndication(0x55, 0x1234)));
      byte[] a = new byte[1500];
      byte[] b = new byte[1500];
      PacketBuffer pa = new PacketBuffer(a, 0, 0);
      PacketBuffer pb = new PacketBuffer(b, 0, 0);
      assertThat(sender.protectRtp(media, 0, media.length, pa)).isEqualTo(SrtpStatus.OK);
      assertThat(sender.protectRtcp(rtcp, 0, rtcp.length, pb)).isEqualTo(SrtpStatus.OK);
      byte[] tampered = java.util.Arrays.copyOf(a, pa.getLength());
      tampered[tampered.length - 1] ^= 1;

      assertThat(receiver.unprotect(pb)).isEqualTo(SrtpSession.Unprotected.RTCP);
      assertThat(java.util.Arrays.copyOf(b, pb.getLength())).isEqualTo(rtcp);
      assertThat(receiver.unprotect(new PacketBuffer(tampered, 0, tampered.length)))
          .isEqualTo(SrtpSession.Unprotected.DROPPED);
      assertThat(receiver.unprotect(pa)).isEqualTo(SrtpSession.Unprotected.RTP);
      assertThat(java.util.Arrays.copyOf(a, pa.getLength())).isEqualTo(media);
    }
  }

  @Test
  void protectingFromASharedPlaintextLeavesItUnchanged() {
    try (SrtpSession a = SrtpSession.create(keys(SrtpProfile.AEAD_AES_128_GCM, false));
        SrtpSession b = SrtpSession.create(keys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, false))) {
      byte[] shared = rtp(1, 1, 1200);
      byte[] copy = shared.clone();
      byte[] out = new byte[1500];
      assertThat(a.protectRtp(shared, 0, shared.length, new PacketBuffer(out, 0, 0))).isEqualTo(SrtpStatus.OK);
      assertThat(b.protectRtp(shared, 0, shared.length, new PacketBuffer(out, 0, 0))).isEqualTo(SrtpStatus.OK);
      assertThat(shared).isEqualTo(copy);
    }
  }

  @Test
  void withoutRoomForTheTagNothingIsWritten() {
    try (SrtpSession s = SrtpSession.create(keys(SrtpProfile.AEAD_AES_128_GCM, true))) {
      byte[] plain = rtp(1, 1, 100);
      byte[] exact = plain.clone();
      assertThat(s.protectRtp(new PacketBuffer(exact, 0, exact.length))).isEqualTo(SrtpStatus.NO_ROOM);
      assertThat(exact).isEqualTo(plain);
      byte[] small = new byte[plain.length + 15];
      assertThat(s.protectRtp(plain, 0, plain.length, new PacketBuffer(small, 0, 0))).isEqualTo(SrtpStatus.NO_ROOM);
      assertThat(s.stats().otherDrops()).isEqualTo(2);
    }
  }

  @Test
  void malformedPacketsAreCountedDrops() {
    try (SrtpSession s = SrtpSession.create(keys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, false))) {
      byte[][] bad = {
        new byte[0],
        Hex.bytes("80"),
        Hex.bytes("40000001 00000000 00000001 0000000000000000000000"),
        Hex.bytes("8f000001 00000000 00000001 0000000000000000000000"),
        Hex.bytes("90000001 00000000 00000001 bede00ff 00000000000000000000"),
      };
      for (byte[] b : bad) {
        assertThat(s.unprotectRtp(new PacketBuffer(b.clone(), 0, b.length))).isEqualTo(SrtpStatus.MALFORMED);
      }
      byte[][] badRtcp = {
        new byte[0],
        Hex.bytes("80c80001 00000001"), // no room for index and tag
        Hex.bytes("40c80001 00000001 80000001 00000000000000000000"), // version 1
      };
      for (byte[] b : badRtcp) {
        assertThat(s.unprotectRtcp(new PacketBuffer(b.clone(), 0, b.length))).isEqualTo(SrtpStatus.MALFORMED);
      }
      assertThat(s.stats().malformed()).isEqualTo(bad.length + badRtcp.length);
    }
  }

  @Test
  void newSsrcsBeyondTheLimitAreDroppedWithoutDerivingContexts() {
    try (SrtpSession client = SrtpSession.create(keys(SrtpProfile.AEAD_AES_128_GCM, true));
        SrtpSession server = SrtpSession.create(keys(SrtpProfile.AEAD_AES_128_GCM, false), 2)) {
      byte[] buf = new byte[300];
      PacketBuffer pkt = new PacketBuffer();
      for (int ssrc = 1; ssrc <= 3; ssrc++) {
        byte[] plain = rtp(ssrc, 1, 10);
        client.protectRtp(plain, 0, plain.length, pkt.wrap(buf, 0, 0));
        assertThat(server.unprotectRtp(pkt)).isEqualTo(ssrc <= 2 ? SrtpStatus.OK : SrtpStatus.TOO_MANY_STREAMS);
      }
      server.removeStream(1);
      byte[] plain = rtp(3, 2, 10);
      client.protectRtp(plain, 0, plain.length, pkt.wrap(buf, 0, 0));
      assertThat(server.unprotectRtp(pkt)).isEqualTo(SrtpStatus.OK);
      assertThat(server.receivingSsrcs()).containsExactlyInAnyOrder(2, 3);
    }
  }

  @Test
  void heapByteBufsAreProtectedAndUnprotectedInPlace() {
    try (SrtpSession client = SrtpSession.create(keys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, true));
        SrtpSession server = SrtpSession.create(keys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, false))) {
      byte[] plain = rtp(42, 7, 500);
      ByteBuf buf = Unpooled.buffer(plain.length);
      try {
        buf.writeBytes(plain);
        assertThat(client.protectRtp(buf)).isEqualTo(SrtpStatus.OK);
        assertThat(buf.readableBytes()).isEqualTo(plain.length + 10);
        assertThat(server.unprotectRtp(buf)).isEqualTo(SrtpStatus.OK);
        byte[] back = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), back);
        assertThat(back).isEqualTo(plain);

        byte[] rtcp = new PictureLossIndication(1, 42).toByteArray();
        buf.clear().writeBytes(rtcp);
        assertThat(server.protectRtcp(buf)).isEqualTo(SrtpStatus.OK);
        assertThat(client.unprotectRtcp(buf)).isEqualTo(SrtpStatus.OK);
        assertThat(buf.readableBytes()).isEqualTo(rtcp.length);
      } finally {
        buf.release();
      }
    }
  }
}
