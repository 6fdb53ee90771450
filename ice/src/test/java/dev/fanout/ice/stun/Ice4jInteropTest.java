package dev.fanout.ice.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.StunStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks against ice4j's own encoder: its signed requests pass our integrity check, and our
 * writer produces exactly the bytes its encoder does for a binding success response (tests run
 * with {@code -Dice4j.software=}, so ice4j adds no SOFTWARE).
 */
class Ice4jInteropTest {
  static final String PASSWORD = "0123456789abcdefghijklmn";
  static StunStack stack;

  @BeforeAll
  static void stack() {
    stack = new StunStack();
    stack.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
      @Override
      public byte[] getLocalKey(String username) {
        return PASSWORD.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] getRemoteKey(String username, String media) {
        return PASSWORD.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public boolean checkLocalUserName(String username) {
        return true;
      }
    });
  }

  @AfterAll
  static void shutDown() {
    stack.shutDown();
  }

  @Test
  void ice4jSignedRequestPassesOurChecks() throws Exception {
    Request request = MessageFactory.createBindingRequest(1853824767L, true, 99L);
    request.setTransactionID(randomTransactionId());
    request.putAttribute(AttributeFactory.createUsernameAttribute("srvr:peer"));
    request.putAttribute(AttributeFactory.createUseCandidateAttribute());
    request.putAttribute(AttributeFactory.createMessageIntegrityAttribute("srvr:peer"));
    request.putAttribute(AttributeFactory.createFingerprintAttribute());
    byte[] bytes = request.encode(stack);

    StunMessage m = StunDecoder.decode(bytes, 0, bytes.length);

    assertThat(m.recipientUfrag()).isEqualTo("srvr");
    assertThat(m.senderUfrag()).isEqualTo("peer");
    assertThat(m.priority()).isEqualTo(1853824767L);
    assertThat(m.iceControlling()).isEqualTo(99L);
    assertThat(m.useCandidate()).isTrue();
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(m)).isTrue();
    assertThat(MessageIntegrity.shortTerm("wrong-password-wrong-pw").verify(m)).isFalse();
  }

  @Test
  void ourSuccessResponseIsByteIdenticalToIce4js() throws Exception {
    for (String ip : new String[] {"192.0.2.1", "2001:db8::1"}) {
      Request request = MessageFactory.createBindingRequest(1L, true, 1L);
      byte[] tid = randomTransactionId();
      request.setTransactionID(tid);
      InetSocketAddress peer = Rfc5769Test.address(ip, 50123);

      Response response = MessageFactory.createBindingResponse(request,
          new TransportAddress(peer.getAddress(), peer.getPort(), Transport.UDP));
      response.setTransactionID(tid);
      response.putAttribute(AttributeFactory.createMessageIntegrityAttribute("srvr"));
      response.putAttribute(AttributeFactory.createFingerprintAttribute());
      byte[] theirs = response.encode(stack);

      byte[] out = new byte[256];
      int n = new StunWriter(out, 0)
          .header(StunAttributes.BINDING_SUCCESS_RESPONSE, tid)
          .xorMappedAddress(peer)
          .messageIntegrity(MessageIntegrity.shortTerm(PASSWORD))
          .fingerprint()
          .length();

      assertThat(Arrays.copyOf(out, n)).as(ip).isEqualTo(theirs);
    }
  }

  @Test
  void ice4jDecodesOurErrorResponse() throws Exception {
    byte[] out = new byte[256];
    int n = new StunWriter(out, 0)
        .header(StunAttributes.BINDING_ERROR_RESPONSE, Rfc5769Test.TRANSACTION_ID)
        .errorCode(420, "Unknown Attribute")
        .unknownAttributes(new int[] {0x0777, 0x0778})
        .messageIntegrity(MessageIntegrity.shortTerm(PASSWORD))
        .fingerprint()
        .length();

    Message m = Message.decode(out, 0, n);
    var error = (org.ice4j.attribute.ErrorCodeAttribute) m.getAttribute((char) StunAttributes.ERROR_CODE);

    assertThat((int) error.getErrorCode()).isEqualTo(420);
    assertThat(error.getReasonPhrase()).isEqualTo("Unknown Attribute");
    assertThat(StunDecoder.decode(out, 0, n).errorCode()).isEqualTo(420);
  }

  static byte[] randomTransactionId() {
    byte[] tid = new byte[StunAttributes.TRANSACTION_ID_LENGTH];
    new java.security.SecureRandom().nextBytes(tid);
    return tid;
  }
}
