package dev.fanout.bench;

import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpCrypto;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * SRTP on the forwarding path for a 1200-byte packet: rewrite a private copy of a shared plaintext
 * and protect it for one subscriber; and unprotect a received packet in place. Sample mode, so the
 * median (p0.50) per operation is reported directly.
 *
 * <p>Unprotect needs a never-seen packet each time (replay protection), so a per-invocation setup
 * of its own state protects the next one; JMH times each sample around the benchmark method only,
 * but {@code -prof gc} counts that setup's allocations in unprotect's figure.
 *
 * <pre>java -jar bench/target/benchmarks.jar SrtpBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
public class SrtpBenchmark extends PerPacketBenchmark {
  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public SrtpProfile profile;

  private SrtpSession sender;
  private SrtpSession receiver;
  private SrtpSession upstream;
  private byte[] shared;
  private final byte[] out = new byte[1500];
  private final PacketBuffer outPacket = new PacketBuffer();
  private final RtpPacket view = new RtpPacket();
  private int seq;

  @Setup
  public void setup() {
    if (!SrtpCrypto.preferOpenSsl()) {
      System.err.println("OpenSSL is not loaded: jitsi-srtp runs in Java");
    }
    byte[] material = new byte[profile.keyingMaterialLength()];
    for (int i = 0; i < material.length; i++) {
      material[i] = (byte) (i * 31 + 7);
    }
    sender = SrtpSession.create(SrtpKeys.fromDtlsExport(profile, material, false));
    upstream = SrtpSession.create(SrtpKeys.fromDtlsExport(profile, material, true));
    receiver = SrtpSession.create(SrtpKeys.fromDtlsExport(profile, material, false));
    shared = RtpParseBenchmark.videoPacket(1200);
  }

  @TearDown
  public void tearDown() {
    sender.close();
    receiver.close();
    upstream.close();
  }

  /** Rewrite a copy of the shared packet for one subscriber and protect it. */
  @Benchmark
  public int rewriteAndProtect() {
    System.arraycopy(shared, 0, out, 0, shared.length);
    RtpPacket p = view.wrap(out, 0, shared.length);
    p.setSsrc(0x0badf00d).setSequenceNumber(seq++).setTimestamp(p.timestamp() + 3000);
    outPacket.wrap(out, 0, shared.length);
    if (sender.protectRtp(outPacket) != SrtpStatus.OK) {
      throw new IllegalStateException("protect failed");
    }
    return outPacket.getLength();
  }

  /** The next received packet, protected before each unprotect. */
  @State(Scope.Thread)
  public static class Received {
    private final byte[] plain = RtpParseBenchmark.videoPacket(1200);
    private final byte[] in = new byte[1500];
    private final PacketBuffer packet = new PacketBuffer();
    private final RtpPacket view = new RtpPacket();
    private int seq;

    @Setup(Level.Invocation)
    public void next(SrtpBenchmark b) {
      view.wrap(plain, 0, plain.length).setSequenceNumber(seq++);
      SrtpStatus status = b.upstream.protectRtp(plain, 0, plain.length, packet.wrap(in, 0, 0));
      if (status != SrtpStatus.OK) {
        throw new IllegalStateException("protect failed: " + status);
      }
    }
  }

  /** Unprotect a received packet in place. */
  @Benchmark
  public int unprotect(Received r) {
    if (receiver.unprotectRtp(r.packet) != SrtpStatus.OK) {
      throw new IllegalStateException("unprotect failed");
    }
    return r.packet.getLength();
  }
}
