package dev.fanout.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.ice.net.MediaPort;
import dev.fanout.ice.net.NettyTransport;
import dev.fanout.ice.stun.MessageIntegrity;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.rtp.PacketClass;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ICE-lite agent over a real loopback socket: {@link MediaPort} on 127.0.0.1 with an
 * {@link IceMux}, and peers on 127.0.0.x driven by the test. Time is a clock the test moves.
 */
class IceLoopbackTest {
  static final byte[] DTLS = {22, (byte) 0xfe, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static final byte[] RTP = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 1, 2, 3, 4};

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  EventLoopGroup group;
  IceMux mux;
  MediaPort port;
  final Recorder recorder = new Recorder();

  @BeforeEach
  void bind() throws Exception {
    NettyTransport transport = NettyTransport.detect();
    group = transport.newEventLoopGroup(1, "test-media");
    mux = new IceMux(IceMux.Config.defaults(), nanos::get, new SecureRandom());
    port = MediaPort.bind(transport, group, new InetSocketAddress("127.0.0.1", 0), mux);
  }

  @AfterEach
  void close() throws Exception {
    port.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void liteHandshakeNominatesAndTheSelectedAddressFollowsTheMove() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer wifi = new TestPeer("127.0.0.1", port.localAddress());
        TestPeer lte = new TestPeer("127.0.0.2", port.localAddress())) {
      // A check without USE-CANDIDATE validates the address but selects nothing.
      StunMessage first = wifi.check(new TestPeer.Check(t));
      assertThat(first.type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(first.xorMappedAddress()).isEqualTo(wifi.address());
      assertThat(first.hasFingerprint()).isTrue();
      assertThat(MessageIntegrity.shortTerm(t.localPassword()).verify(first)).isTrue();
      assertThat(t.state()).isEqualTo(IceTransport.State.NEW);
      assertThat(t.selectedAddress()).isNull();

      // Nomination.
      StunMessage nominated = wifi.check(new TestPeer.Check(t).nominate());
      assertThat(nominated.type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).isEqualTo("selected null -> " + wifi.address());
      assertThat(t.state()).isEqualTo(IceTransport.State.CONNECTED);
      assertThat(t.selectedAddress()).isEqualTo(wifi.address());

      // DTLS and RTP from the selected address reach the receiver; sends go there.
      wifi.send(DTLS);
      wifi.send(RTP);
      assertThat(recorder.next()).isEqualTo(new Recorder.Received(PacketClass.DTLS, hex(DTLS), wifi.address()));
      assertThat(recorder.next()).isEqualTo(new Recorder.Received(PacketClass.RTP_RTCP, hex(RTP), wifi.address()));
      assertThat(t.send(text("to wifi"))).isTrue();
      assertThat(new String(wifi.receive(), StandardCharsets.UTF_8)).isEqualTo("to wifi");

      // The peer moves: the new address sends media before any check, which is dropped...
      lte.send(RTP);
      awaitTrue(() -> mux.stats().unvalidatedDropped() == 1);
      // ...then it is checked and nominated, and the selected address follows.
      assertThat(lte.check(new TestPeer.Check(t).nominate()).type())
          .isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS))
          .isEqualTo("selected " + wifi.address() + " -> " + lte.address());
      assertThat(t.selectedAddress()).isEqualTo(lte.address());
      assertThat(t.send(text("to lte"))).isTrue();
      assertThat(new String(lte.receive(), StandardCharsets.UTF_8)).isEqualTo("to lte");
      assertThat(wifi.receiveWithin(200)).isNull();
      lte.send(RTP);
      assertThat(recorder.next()).isEqualTo(new Recorder.Received(PacketClass.RTP_RTCP, hex(RTP), lte.address()));
      assertThat(mux.stats().selectedChanges()).isEqualTo(2);
    }
    assertThat(recorder.received).isEmpty();
    t.close();
  }

  @Test
  void datagramsFromAnUnvalidatedAddressNeverReachTheReceiver() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    Recorder other = new Recorder();
    IceTransport u = mux.register(other, other);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress());
        TestPeer stranger = new TestPeer("127.0.0.3", port.localAddress());
        TestPeer samePeerOtherPort = new TestPeer("127.0.0.1", port.localAddress())) {
      peer.check(new TestPeer.Check(t).nominate());
      // DTLS, SRTP and SRTCP-looking datagrams from addresses no transport validated.
      for (TestPeer bad : new TestPeer[] {stranger, samePeerOtherPort}) {
        bad.send(DTLS);
        bad.send(RTP);
        bad.send(new byte[] {(byte) 0x81, (byte) 200, 0, 6, 0, 0, 0, 1});
      }
      awaitTrue(() -> mux.stats().unvalidatedDropped() == 6);
      // A marker from the validated address arrives after everything sent before it.
      peer.send(RTP);
      assertThat(recorder.next().sender()).isEqualTo(peer.address());
      assertThat(recorder.received).isEmpty();
      // An address validated for t is never routed to u.
      assertThat(other.received).isEmpty();
      assertThat(mux.stats().delivered()).isEqualTo(1);
    }
    t.close();
    u.close();
  }

  @Test
  void consentExpiresThirtySecondsAfterTheLastValidCheck() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      peer.check(new TestPeer.Check(t).nominate());
      recorder.events.poll(2, TimeUnit.SECONDS);

      advance(Duration.ofSeconds(29));
      peer.check(new TestPeer.Check(t)); // a consent check refreshes consent
      advance(Duration.ofSeconds(29));
      runTimers();
      assertThat(t.state()).isEqualTo(IceTransport.State.CONNECTED);

      advance(Duration.ofSeconds(2));
      runTimers();

      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).isEqualTo("failed CONSENT_EXPIRED");
      assertThat(t.state()).isEqualTo(IceTransport.State.FAILED);
      assertThat(mux.transportCount()).isZero();
      assertThat(mux.stats().consentExpired()).isEqualTo(1);
      // Resources released: media from the old address is dropped, checks find no ufrag.
      peer.send(RTP);
      awaitTrue(() -> mux.stats().unvalidatedDropped() == 1);
      peer.send(new TestPeer.Check(t).encode());
      assertThat(peer.receiveWithin(300)).isNull();
      assertThat(mux.stats().stunUnknownUfrag()).isEqualTo(1);
      assertThat(t.send(text("late"))).isFalse();
    }
    assertThat(recorder.received).isEmpty();
  }

  @Test
  void aTransportNeverNominatedFailsAfterTheConnectTimeout() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    advance(Duration.ofSeconds(31));
    runTimers();

    assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).isEqualTo("failed CONNECT_TIMEOUT");
    assertThat(t.state()).isEqualTo(IceTransport.State.FAILED);
    assertThat(mux.transportCount()).isZero();
  }

  @Test
  void aControlledPeerGetsRoleConflict() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      TestPeer.Check check = new TestPeer.Check(t).nominate();
      check.controlling = false;
      check.controlled = true;

      StunMessage response = peer.check(check);

      assertThat(response.type()).isEqualTo(StunAttributes.BINDING_ERROR_RESPONSE);
      assertThat(response.errorCode()).isEqualTo(487);
      assertThat(MessageIntegrity.shortTerm(t.localPassword()).verify(response)).isTrue();
      assertThat(t.selectedAddress()).isNull();
      assertNotValidated(peer);
      assertThat(mux.stats().answered(BindingVerdict.ROLE_CONFLICT)).isEqualTo(1);
    }
    t.close();
  }

  @Test
  void aWrongPasswordGetsUnauthorizedAndValidatesNothing() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      TestPeer.Check check = new TestPeer.Check(t).nominate();
      check.password = "not-the-password-at-all";

      StunMessage response = peer.check(check);

      assertThat(response.errorCode()).isEqualTo(401);
      assertThat(response.hasIntegrity()).isFalse(); // RFC 8489 §9.1.3: no MI on a failed check
      assertThat(response.hasFingerprint()).isTrue();
      assertThat(t.selectedAddress()).isNull();
      assertNotValidated(peer);
      assertThat(mux.stats().answered(BindingVerdict.UNAUTHORIZED)).isEqualTo(1);
    }
    t.close();
  }

  @Test
  void otherInvalidChecksGetTheirErrorResponses() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      TestPeer.Check noPriority = new TestPeer.Check(t).nominate();
      noPriority.priority = false;
      assertThat(peer.check(noPriority).errorCode()).isEqualTo(400);

      TestPeer.Check noRole = new TestPeer.Check(t).nominate();
      noRole.controlling = false;
      assertThat(peer.check(noRole).errorCode()).isEqualTo(400);

      TestPeer.Check noIntegrity = new TestPeer.Check(t).nominate();
      noIntegrity.integrity = false;
      StunMessage missing = peer.check(noIntegrity);
      assertThat(missing.errorCode()).isEqualTo(400);
      assertThat(missing.hasIntegrity()).isFalse();

      TestPeer.Check noFingerprint = new TestPeer.Check(t).nominate();
      noFingerprint.fingerprint = false;
      assertThat(peer.check(noFingerprint).errorCode()).isEqualTo(400);

      TestPeer.Check unknown = new TestPeer.Check(t).nominate();
      unknown.unknownAttribute = 0x0777;
      StunMessage unknownResponse = peer.check(unknown);
      assertThat(unknownResponse.errorCode()).isEqualTo(420);
      assertThat(MessageIntegrity.shortTerm(t.localPassword()).verify(unknownResponse)).isTrue();

      t.remoteUfrag("someone-else");
      assertThat(peer.check(new TestPeer.Check(t).nominate()).errorCode()).isEqualTo(401);

      assertThat(t.selectedAddress()).isNull();
      assertNotValidated(peer);
    }
    t.close();
  }

  @Test
  void garbageAndUnknownUfragsAreCountedAndUnanswered() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      TestPeer.Check stranger = new TestPeer.Check(t);
      stranger.username = "nobody:" + TestPeer.UFRAG;
      peer.send(stranger.encode());
      byte[] truncated = new TestPeer.Check(t).encode();
      peer.send(java.util.Arrays.copyOf(truncated, truncated.length - 4));
      byte[] oversize = new byte[1500];
      oversize[0] = 0x00;
      oversize[1] = 0x01;
      peer.send(oversize);
      peer.send(new byte[] {0, 1});

      assertThat(peer.receiveWithin(300)).isNull();
      awaitTrue(() -> mux.stats().stunUnknownUfrag() == 1 && mux.stats().stunMalformed() == 3);
      // Still working afterwards.
      assertThat(peer.check(new TestPeer.Check(t)).type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(mux.stats().internalErrors()).isZero();
    }
    t.close();
  }

  @Test
  void closeUnregistersWithoutTellingTheListener() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      peer.check(new TestPeer.Check(t).nominate());
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).startsWith("selected");

      t.close();

      assertThat(t.state()).isEqualTo(IceTransport.State.CLOSED);
      assertThat(mux.transportCount()).isZero();
      assertNotValidated(peer);
      assertThat(recorder.events).isEmpty();
      assertThat(t.send(text("x"))).isFalse();
    }
  }

  /**
   * The hijack of the hardening issue: a participant of any room holds valid credentials for its
   * own transport and sends checks with them from a spoofed source, the victim's address. A live
   * owner keeps its address: 0 of 20 claims take it, none is answered, and the victim neither
   * fails nor loses a datagram to the attacker's transport.
   */
  @Test
  void aSpoofedBindingRequestDoesNotTakeALiveOwnersAddress() throws Exception {
    IceTransport victim = mux.register(recorder, recorder);
    Recorder attackerSide = new Recorder();
    IceTransport attacker = mux.register(attackerSide, attackerSide);
    try (TestPeer peer = new TestPeer("127.0.0.1", port.localAddress())) {
      peer.check(new TestPeer.Check(victim).nominate());
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).isEqualTo("selected null -> " + peer.address());

      int taken = 0;
      int answered = 0;
      for (int i = 0; i < 20; i++) {
        advance(Duration.ofSeconds(1));
        injectStun(new TestPeer.Check(attacker).nominate().encode(), peer.address());
        runTimers();
        if (attacker.selectedAddress() != null || victim.state() != IceTransport.State.CONNECTED
            || !peer.address().equals(victim.selectedAddress())) {
          taken++;
        }
        // An answer to the spoofed claim would land at the victim's address.
        while (peer.receiveWithin(20) != null) {
          answered++;
        }
        if (i % 5 == 4 && victim.state() == IceTransport.State.CONNECTED) {
          peer.check(new TestPeer.Check(victim)); // consent, at RFC 7675's pace
        }
      }

      assertThat(taken).as("spoofed claims that took the address").isZero();
      assertThat(answered).as("spoofed claims answered").isZero();
      assertThat(mux.stats().addressClaimsRefused()).isEqualTo(20);
      assertThat(recorder.events).as("the victim saw no change").isEmpty();
      peer.send(RTP);
      assertThat(recorder.next().sender()).isEqualTo(peer.address());
      assertThat(victim.send(text("still yours"))).isTrue();
      assertThat(new String(peer.receive(), StandardCharsets.UTF_8)).isEqualTo("still yours");
      assertThat(attackerSide.received).isEmpty();
      assertThat(attackerSide.events).isEmpty();
    }
    victim.close();
    attacker.close();
  }

  /**
   * The owner really left (no word, no more checks): once its last check from the address is
   * older than the address hold, a new client on the same port gets the address, and the old
   * transport, which lost its selected address, fails.
   */
  @Test
  void aQuietOwnersAddressGoesToTheNextClientOnThatPort() throws Exception {
    IceTransport gone = mux.register(recorder, recorder);
    Recorder nextSide = new Recorder();
    IceTransport next = mux.register(nextSide, nextSide);
    InetSocketAddress shared;
    try (TestPeer first = new TestPeer("127.0.0.1", port.localAddress())) {
      first.check(new TestPeer.Check(gone).nominate());
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).startsWith("selected");
      shared = first.address();
    }
    try (TestPeer second = new TestPeer(shared, port.localAddress())) {
      advance(Duration.ofSeconds(10));
      second.send(new TestPeer.Check(next).nominate().encode());
      assertThat(second.receiveWithin(300)).as("held while the owner may still be there").isNull();
      assertThat(next.selectedAddress()).isNull();

      advance(IceMux.Config.DEFAULT_ADDRESS_HOLD.minusSeconds(9)); // 16 s since the owner's check
      StunMessage answer = second.check(new TestPeer.Check(next).nominate());

      assertThat(answer.type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(nextSide.events.poll(2, TimeUnit.SECONDS)).isEqualTo("selected null -> " + shared);
      second.send(RTP);
      assertThat(nextSide.next().sender()).isEqualTo(shared);
      runTimers();
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).isEqualTo("failed CONSENT_EXPIRED");
    }
    assertThat(recorder.received).isEmpty();
    next.close();
  }

  /**
   * NAT rebinding: the same client appears from a new port while its old address is still live.
   * Its own transport follows it at the first check from there, well within 2 s.
   */
  @Test
  void aClientThatMovesToANewPortIsFollowedAtOnce() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    try (TestPeer before = new TestPeer("127.0.0.1", port.localAddress());
        TestPeer after = new TestPeer("127.0.0.1", port.localAddress())) {
      before.check(new TestPeer.Check(t).nominate());
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS)).startsWith("selected null");
      advance(Duration.ofSeconds(1));

      long start = System.nanoTime();
      assertThat(after.check(new TestPeer.Check(t).nominate()).type())
          .isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(recorder.events.poll(2, TimeUnit.SECONDS))
          .isEqualTo("selected " + before.address() + " -> " + after.address());
      assertThat(t.send(text("followed"))).isTrue();
      assertThat(new String(after.receive(), StandardCharsets.UTF_8)).isEqualTo("followed");
      after.send(RTP);
      assertThat(recorder.next().sender()).isEqualTo(after.address());
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
      assertThat(mux.stats().addressClaimsRefused()).isZero();
    }
    t.close();
  }

  /**
   * Every check with bad credentials for a known ufrag earns an error answer to its claimed
   * source; the port sends at most {@link IceMux.Config#DEFAULT_ERROR_REPLIES_PER_SECOND} of them
   * a second, so it cannot be used as a reflector at the rate junk arrives. (The checks come from
   * several sources, each below the per-source throttle.)
   */
  @Test
  void errorAnswersAreLimitedPerSecond() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    int limit = IceMux.Config.DEFAULT_ERROR_REPLIES_PER_SECOND;
    int each = IceMux.FAILED_CHECKS_PER_SECOND;
    List<TestPeer> peers = new ArrayList<>();
    try {
      for (int i = 0; i < limit * 3 / each; i++) {
        peers.add(new TestPeer("127.0.0.1", port.localAddress()));
      }
      TestPeer.Check forged = new TestPeer.Check(t);
      forged.password = "not-the-password-at-all";
      for (TestPeer peer : peers) {
        for (int i = 0; i < each; i++) {
          peer.send(forged.encode());
        }
      }
      awaitTrue(() -> mux.stats().answered(BindingVerdict.UNAUTHORIZED) == limit * 3);
      assertThat(countAnswers(peers)).as("answers within one second of the clock").isEqualTo(limit);
      assertThat(mux.stats().stunErrorRepliesDropped()).isEqualTo(2L * limit);

      advance(Duration.ofSeconds(1));
      for (int i = 0; i < limit / 2; i++) {
        peers.get(i % peers.size()).send(forged.encode());
      }
      awaitTrue(() -> mux.stats().answered(BindingVerdict.UNAUTHORIZED) == limit * 3 + limit / 2);
      assertThat(countAnswers(peers)).as("a second later").isEqualTo(limit / 2);
      // A valid check is never limited.
      assertThat(peers.get(0).check(new TestPeer.Check(t)).type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
      assertThat(mux.stats().stunThrottled()).isZero();
    } finally {
      for (TestPeer peer : peers) {
        peer.close();
      }
    }
    t.close();
  }

  /**
   * A source that keeps failing authentication stops costing an HMAC a check: past
   * {@link IceMux#FAILED_CHECKS_PER_SECOND} failures in a second its checks are dropped
   * unverified, until the second is over. Other sources are verified as before, and so is a
   * source a transport owns, so a forger that spoofs a live client's address cannot get the
   * client's own consent checks dropped.
   */
  @Test
  void aSourceThatKeepsFailingIsDroppedBeforeVerificationUnlessATransportOwnsIt() throws Exception {
    IceTransport t = mux.register(recorder, recorder);
    int each = IceMux.FAILED_CHECKS_PER_SECOND;
    try (TestPeer forger = new TestPeer("127.0.0.1", port.localAddress());
        TestPeer client = new TestPeer("127.0.0.1", port.localAddress())) {
      TestPeer.Check forged = new TestPeer.Check(t);
      forged.password = "not-the-password-at-all";
      for (int i = 0; i < each * 5; i++) {
        forger.send(forged.encode());
      }
      awaitTrue(() -> mux.stats().stunThrottled() == each * 4);
      assertThat(mux.stats().answered(BindingVerdict.UNAUTHORIZED)).isEqualTo(each);
      assertThat(countAnswers(forger)).isEqualTo(each);
      forger.send(new TestPeer.Check(t).encode());
      assertThat(forger.receiveWithin(300)).as("even a valid check, within the second").isNull();
      assertThat(client.check(new TestPeer.Check(t)).type()).as("another source")
          .isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);

      advance(Duration.ofSeconds(1));
      assertThat(forger.check(new TestPeer.Check(t)).type()).as("the next second")
          .isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);

      // The client's address is now owned by t: forged checks from it are all verified.
      long throttled = mux.stats().stunThrottled();
      long unauthorized = mux.stats().answered(BindingVerdict.UNAUTHORIZED);
      for (int i = 0; i < each * 3; i++) {
        client.send(forged.encode());
      }
      awaitTrue(() -> mux.stats().answered(BindingVerdict.UNAUTHORIZED) == unauthorized + each * 3);
      assertThat(mux.stats().stunThrottled()).isEqualTo(throttled);
      assertThat(countAnswers(client)).isEqualTo(each * 3);
      assertThat(client.check(new TestPeer.Check(t)).type()).isEqualTo(StunAttributes.BINDING_SUCCESS_RESPONSE);
    }
    t.close();
  }

  private static int countAnswers(List<TestPeer> peers) throws Exception {
    int n = 0;
    for (TestPeer peer : peers) {
      n += countAnswers(peer);
    }
    return n;
  }

  private static int countAnswers(TestPeer peer) throws Exception {
    int n = 0;
    while (peer.receiveWithin(300) != null) {
      n++;
    }
    return n;
  }

  /**
   * Hands the port a STUN datagram as if it came from {@code from}. Loopback cannot spoof a source
   * port that another socket owns; the port's pipeline takes a datagram with any sender.
   */
  private void injectStun(byte[] datagram, InetSocketAddress from) throws Exception {
    port.channel().eventLoop().submit(() -> port.channel().pipeline().fireChannelRead(
        new io.netty.channel.socket.DatagramPacket(Unpooled.wrappedBuffer(datagram), port.localAddress(), from)))
        .get(2, TimeUnit.SECONDS);
  }

  @Test
  void hostCandidatesUseThePortNumber() throws Exception {
    var candidates = mux.hostCandidates(java.util.List.of(
        java.net.InetAddress.getByName("127.0.0.1"), java.net.InetAddress.getByName("203.0.113.7")));

    assertThat(candidates).extracting(IceCandidate::sdpAttribute).containsExactly(
        "candidate:1 1 udp 2130706431 127.0.0.1 " + port.localAddress().getPort() + " typ host",
        "candidate:2 1 udp 2130706175 203.0.113.7 " + port.localAddress().getPort() + " typ host");
  }

  /** Media from {@code peer} is dropped as unvalidated and never reaches the receiver. */
  private void assertNotValidated(TestPeer peer) throws Exception {
    long before = mux.stats().unvalidatedDropped();
    peer.send(RTP);
    awaitTrue(() -> mux.stats().unvalidatedDropped() == before + 1);
    assertThat(recorder.received).isEmpty();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private void runTimers() throws Exception {
    port.channel().eventLoop().submit(mux::checkTimeouts).get(2, TimeUnit.SECONDS);
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(5);
    }
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  /** Records listener events and received datagrams (copied, then released: it owns them). */
  static final class Recorder implements IceTransportListener, DatagramReceiver {
    record Received(PacketClass cls, String hex, InetSocketAddress sender) {}

    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    @Override
    public void onSelectedAddressChanged(InetSocketAddress previous, InetSocketAddress current) {
      events.add("selected " + previous + " -> " + current);
    }

    @Override
    public void onFailed(IceTransport transport, IceFailure reason) {
      events.add("failed " + reason);
    }

    @Override
    public void onDatagram(PacketClass cls, ByteBuf datagram, InetSocketAddress sender) {
      try {
        received.add(new Received(cls, ByteBufUtil.hexDump(datagram), sender));
      } finally {
        datagram.release();
      }
    }

    Received next() throws InterruptedException {
      Received r = received.poll(2, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no datagram received");
      }
      return r;
    }
  }
}
