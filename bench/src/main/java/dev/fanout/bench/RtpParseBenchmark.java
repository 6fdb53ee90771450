package dev.fanout.bench;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.RtpWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-packet RTP work of the forwarding path without crypto: parse a received packet as a
 * view, and rewrite a private copy for one subscriber (SSRC, sequence number, timestamp, the
 * transport-wide sequence number extension). Both must allocate nothing.
 *
 * <pre>java -jar bench/target/benchmarks.jar RtpParseBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public class RtpParseBenchmark extends PerPacketBenchmark {
  static final int MID = 1;
  static final int ABS_SEND_TIME = 2;
  static final int TRANSPORT_CC = 3;

  private byte[] received;
  private byte[] scratch;
  private final RtpPacket view = new RtpPacket();
  private final byte[] twccSeq = new byte[2];
  private int seq;

  /** A 1200-byte video packet as Chrome sends it: three one-byte header extensions. */
  public static byte[] videoPacket(int size) {
    RtpWriter w = new RtpWriter().marker(false).payloadType(96).sequenceNumber(4711)
        .timestamp(90_000L).ssrc(0x1234abcd)
        .extension(MID, new byte[] {'0'})
        .extension(ABS_SEND_TIME, new byte[] {1, 2, 3})
        .extension(TRANSPORT_CC, new byte[] {0, 42});
    int header = w.size();
    byte[] payload = new byte[size - header];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    return w.payload(payload).toByteArray();
  }

  @Setup
  public void setup() {
    received = videoPacket(1200);
    scratch = new byte[1500];
  }

  @Benchmark
  public int parse() {
    RtpPacket p = view.wrap(received, 0, received.length);
    return p.ssrc() + p.sequenceNumber() + p.payloadType() + p.payloadLength()
        + p.extensionOffset(TRANSPORT_CC);
  }

  @Benchmark
  public int rewrite() {
    System.arraycopy(received, 0, scratch, 0, received.length);
    RtpPacket p = view.wrap(scratch, 0, received.length);
    int s = seq++;
    p.setSsrc(0x0badf00d).setSequenceNumber(s).setTimestamp(p.timestamp() + 3000).setPayloadType(100);
    twccSeq[0] = (byte) (s >>> 8);
    twccSeq[1] = (byte) s;
    p.setExtension(TRANSPORT_CC, twccSeq, 0, 2);
    return p.length();
  }
}
