package dev.fanout.ice;

import dev.fanout.ice.stun.MessageIntegrity;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunDecoder;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.ice.stun.StunWriter;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The browser's side of the lite handshake, driven by a test: a plain UDP socket on a chosen
 * local address that sends checks (as the controlling agent) and arbitrary datagrams.
 */
final class TestPeer implements AutoCloseable {
  static final String UFRAG = "peer";
  private static final SecureRandom RANDOM = new SecureRandom();

  final DatagramSocket socket;
  private final InetSocketAddress server;

  TestPeer(String localIp, InetSocketAddress server) throws IOException {
    this(new InetSocketAddress(InetAddress.getByName(localIp), 0), server);
  }

  /** A peer on exactly {@code local}, e.g. the port another peer just closed. */
  TestPeer(InetSocketAddress local, InetSocketAddress server) throws IOException {
    this.socket = new DatagramSocket(local);
    this.socket.setSoTimeout(5000); // generous: the test machine may be busy
    this.server = server;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** What a check should contain; defaults are a valid check from a controlling peer. */
  static final class Check {
    String username;
    String password;
    boolean useCandidate;
    boolean priority = true;
    boolean controlling = true;
    boolean controlled;
    boolean fingerprint = true;
    boolean integrity = true;
    int unknownAttribute = -1;

    Check(IceTransport t) {
      username = t.localUfrag() + ":" + UFRAG;
      password = t.localPassword();
    }

    Check nominate() {
      useCandidate = true;
      return this;
    }

    byte[] encode() {
      byte[] tid = new byte[12];
      RANDOM.nextBytes(tid);
      byte[] out = new byte[512];
      StunWriter w = new StunWriter(out, 0).header(StunAttributes.BINDING_REQUEST, tid).username(username);
      if (priority) {
        w.priority(IceCandidate.priority(110, 65535, 1));
      }
      if (controlling) {
        w.iceControlling(RANDOM.nextLong());
      }
      if (controlled) {
        w.iceControlled(RANDOM.nextLong());
      }
      if (useCandidate) {
        w.useCandidate();
      }
      if (unknownAttribute >= 0) {
        w.attribute(unknownAttribute, new byte[4]);
      }
      if (integrity) {
        w.messageIntegrity(MessageIntegrity.shortTerm(password));
      }
      if (fingerprint) {
        w.fingerprint();
      }
      return Arrays.copyOf(out, w.length());
    }
  }

  /** Sends a check and returns the decoded response. */
  StunMessage check(Check check) throws Exception {
    byte[] request = check.encode();
    send(request);
    byte[] response = receive();
    StunMessage m = StunDecoder.decode(response, 0, response.length);
    if (!Arrays.equals(m.transactionId(), Arrays.copyOfRange(request, 8, 20))) {
      throw new AssertionError("response for another transaction");
    }
    return m;
  }

  void send(byte[] datagram) throws IOException {
    socket.send(new DatagramPacket(datagram, datagram.length, server));
  }

  byte[] receive() throws IOException {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    socket.receive(p);
    return Arrays.copyOf(buf, p.getLength());
  }

  /** Null when nothing arrives within {@code millis}. */
  byte[] receiveWithin(int millis) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      return receive();
    } catch (SocketTimeoutException e) {
      return null;
    } finally {
      socket.setSoTimeout(before);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
