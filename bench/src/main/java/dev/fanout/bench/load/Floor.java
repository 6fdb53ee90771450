package dev.fanout.bench.load;

import dev.fanout.rtp.srtp.PacketBuffer;
import dev.fanout.rtp.srtp.SrtpKeys;
import dev.fanout.rtp.srtp.SrtpProfile;
import dev.fanout.rtp.srtp.SrtpSession;
import dev.fanout.rtp.srtp.SrtpStatus;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

/**
 * The physical floor of forwarding one packet on this machine: one SRTP protect plus one
 * loopback UDP send of the same size, in CPU microseconds of the calling thread (what the
 * server's process CPU per packet is compared with). Each part is the median of several
 * batches.
 */
final class Floor {
  private static final int BATCHES = 7;
  private static final int PER_BATCH = 20_000;

  record Result(double protectMicros, double sendMicros) {
    double totalMicros() {
      return protectMicros + sendMicros;
    }
  }

  private Floor() {}

  static Result measure(SrtpProfile profile, int packetBytes) throws IOException, InterruptedException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    byte[] material = new byte[profile.keyingMaterialLength()];
    Arrays.fill(material, (byte) 7);
    byte[] packet = new byte[packetBytes + 32];
    packet[0] = (byte) 0x80;
    packet[1] = 96;
    double protect;
    double send;
    try (SrtpSession srtp = SrtpSession.create(SrtpKeys.fromDtlsExport(profile, material, true))) {
      PacketBuffer view = new PacketBuffer();
      byte[] out = new byte[packet.length];
      int[] seq = {0};
      protect = median(cpu, () -> {
        int s = seq[0]++;
        packet[2] = (byte) (s >> 8);
        packet[3] = (byte) s;
        System.arraycopy(packet, 0, out, 0, packetBytes);
        if (srtp.protectRtp(view.wrap(out, 0, packetBytes, out.length)) != SrtpStatus.OK) {
          throw new IllegalStateException("protect failed");
        }
      });
    }
    try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
         DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
      receiver.bind(new InetSocketAddress("127.0.0.1", 0));
      sender.connect(receiver.getLocalAddress());
      Thread drain = new Thread(() -> {
        ByteBuffer in = ByteBuffer.allocateDirect(2048);
        try {
          while (true) {
            in.clear();
            receiver.receive(in);
          }
        } catch (IOException e) {
          // closed: done
        }
      }, "floor-drain");
      drain.setDaemon(true);
      drain.start();
      ByteBuffer datagram = ByteBuffer.allocateDirect(packetBytes + 16);
      send = median(cpu, () -> {
        datagram.clear();
        datagram.position(packetBytes + 16);
        datagram.flip();
        try {
          sender.write(datagram);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
    }
    return new Result(protect, send);
  }

  /** Median over batches of the thread's CPU time per operation, in µs; one warm-up batch. */
  private static double median(ThreadMXBean cpu, Runnable op) {
    double[] perOp = new double[BATCHES];
    for (int b = -1; b < BATCHES; b++) {
      long t0 = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < PER_BATCH; i++) {
        op.run();
      }
      long t1 = cpu.getCurrentThreadCpuTime();
      if (b >= 0) {
        perOp[b] = (t1 - t0) / 1000.0 / PER_BATCH;
      }
    }
    Arrays.sort(perOp);
    return perOp[BATCHES / 2];
  }
}
