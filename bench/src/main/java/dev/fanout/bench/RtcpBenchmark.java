package dev.fanout.bench;

import dev.fanout.rtp.rtcp.GenericNack;
import dev.fanout.rtp.rtcp.PictureLossIndication;
import dev.fanout.rtp.rtcp.ReceiverReport;
import dev.fanout.rtp.rtcp.ReportBlock;
import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.rtp.rtcp.RtcpIterator;
import dev.fanout.rtp.rtcp.RtcpPacket;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The feedback a subscriber sends most: a compound RTCP packet of a receiver report (one block),
 * a generic NACK for three lost packets and a PLI. {@code walk} visits the packet headers as the
 * server's RTCP handler does before it parses what it acts on; {@code parse} turns every packet
 * into its record; {@code write} serializes the same compound into a reused array.
 *
 * <pre>java -jar bench/target/benchmarks.jar RtcpBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public class RtcpBenchmark extends PerPacketBenchmark {
  private static final int SUBSCRIBER_SSRC = 0x11223344;
  private static final int MEDIA_SSRC = 0x0badf00d;

  private final List<RtcpPacket> compound = List.of(
      new ReceiverReport(SUBSCRIBER_SSRC,
          List.of(new ReportBlock(MEDIA_SSRC, 3, 17, 0x1_2345L, 120, 0x5566_7788L, 6554))),
      new GenericNack(SUBSCRIBER_SSRC, MEDIA_SSRC, List.of(4711, 4713, 4720)),
      new PictureLossIndication(SUBSCRIBER_SSRC, MEDIA_SSRC));
  private final byte[] received = RtcpCompound.toByteArray(compound);
  private final byte[] out = new byte[1500];
  private final RtcpIterator iterator = new RtcpIterator();

  @Benchmark
  public int walk() {
    int sum = 0;
    iterator.reset(received, 0, received.length);
    while (iterator.next()) {
      sum += iterator.packetType() + iterator.count() + iterator.length();
    }
    return sum;
  }

  @Benchmark
  public List<RtcpPacket> parse() {
    return RtcpCompound.parse(received, 0, received.length);
  }

  @Benchmark
  public int write() {
    return RtcpCompound.write(compound, out, 0);
  }
}
