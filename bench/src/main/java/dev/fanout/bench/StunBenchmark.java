package dev.fanout.bench;

import dev.fanout.ice.BindingVerdict;
import dev.fanout.ice.IceCredentials;
import dev.fanout.ice.IceLiteResponder;
import dev.fanout.ice.stun.MessageIntegrity;
import dev.fanout.ice.stun.StunAttributes;
import dev.fanout.ice.stun.StunDecoder;
import dev.fanout.ice.stun.StunFormatException;
import dev.fanout.ice.stun.StunMessage;
import dev.fanout.ice.stun.StunWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.StunStack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The ICE-lite answer to one connectivity check, as the media port's loop runs it: decode the
 * datagram, check USERNAME, MESSAGE-INTEGRITY, FINGERPRINT, PRIORITY and role, and write the
 * signed success response. {@code ice4jResponse} does the same but has ice4j encode the
 * response, for comparison.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar StunBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dice4j.software=")
public class StunBenchmark {
  private static final IceCredentials LOCAL = new IceCredentials("srvrufrg", "0123456789abcdefghijklmn");
  private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.10", 54321);

  private IceLiteResponder responder;
  private byte[] check;
  private final byte[] out = new byte[512];
  private StunStack stack;
  private TransportAddress peer;
  private Request ice4jRequest;

  @Setup(Level.Trial)
  public void setUp() {
    responder = new IceLiteResponder(LOCAL);
    byte[] buf = new byte[512];
    byte[] tid = "0123456789ab".getBytes(StandardCharsets.US_ASCII);
    // What Chrome sends: USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY,
    // MESSAGE-INTEGRITY, FINGERPRINT.
    int n = new StunWriter(buf, 0)
        .header(StunAttributes.BINDING_REQUEST, tid)
        .username(LOCAL.ufrag() + ":peer")
        .attribute(0xC057, new byte[] {0, 1, 0, 10})
        .iceControlling(0x1234_5678_9abc_def0L)
        .useCandidate()
        .priority(1853824767L)
        .messageIntegrity(MessageIntegrity.shortTerm(LOCAL.password()))
        .fingerprint()
        .length();
    check = Arrays.copyOf(buf, n);

    stack = new StunStack();
    byte[] key = LOCAL.password().getBytes(StandardCharsets.UTF_8);
    stack.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
      @Override
      public byte[] getLocalKey(String username) {
        return key;
      }

      @Override
      public byte[] getRemoteKey(String username, String media) {
        return key;
      }

      @Override
      public boolean checkLocalUserName(String username) {
        return true;
      }
    });
    peer = new TransportAddress(PEER.getAddress(), PEER.getPort(), Transport.UDP);
    try {
      ice4jRequest = (Request) Message.decode(check, 0, check.length);
    } catch (StunException e) {
      throw new IllegalStateException(e);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stack.shutDown();
  }

  /** Decode, validate, and write the response with our writer. */
  @Benchmark
  public int validateAndRespond() throws StunFormatException {
    StunMessage request = StunDecoder.decode(check, 0, check.length);
    BindingVerdict verdict = responder.check(request);
    if (verdict != BindingVerdict.SUCCESS) {
      throw new IllegalStateException(verdict.toString());
    }
    return responder.writeResponse(request, verdict, PEER, out);
  }

  /** Decode and validate only. */
  @Benchmark
  public BindingVerdict validate() throws StunFormatException {
    return responder.check(StunDecoder.decode(check, 0, check.length));
  }

  /** Decode and validate as above, then have ice4j encode the signed response. */
  @Benchmark
  public byte[] ice4jResponse() throws StunFormatException, StunException {
    StunMessage request = StunDecoder.decode(check, 0, check.length);
    if (responder.check(request) != BindingVerdict.SUCCESS) {
      throw new IllegalStateException();
    }
    Response response = MessageFactory.createBindingResponse(ice4jRequest, peer);
    response.setTransactionID(request.transactionId());
    response.putAttribute(AttributeFactory.createMessageIntegrityAttribute(LOCAL.ufrag()));
    response.putAttribute(AttributeFactory.createFingerprintAttribute());
    return response.encode(stack);
  }
}
