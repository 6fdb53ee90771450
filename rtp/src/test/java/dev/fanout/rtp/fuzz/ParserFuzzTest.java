package dev.fanout.rtp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.rtp.HeaderExtensions;
import dev.fanout.rtp.RtpFormatException;
import dev.fanout.rtp.RtpPacket;
import dev.fanout.rtp.codec.Av1DependencyDescriptor;
import dev.fanout.rtp.codec.H264Payload;
import dev.fanout.rtp.codec.Vp8Descriptor;
import dev.fanout.rtp.codec.Vp9Descriptor;
import dev.fanout.rtp.rtcp.RtcpCompound;
import dev.fanout.rtp.rtcp.RtcpPacket;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer targets for every parser of the module. In a normal build they run in regression mode over
 * the committed inputs in {@code src/test/resources/dev/fanout/rtp/fuzz/ParserFuzzTestInputs/};
 * {@code rtp/README.md} has the command for a fuzzing run. A target fails on any exception other
 * than {@link RtpFormatException}, and on an inconsistency between what a parser accepts and
 * what the writers produce from it.
 */
class ParserFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void rtpPacket(byte[] data) {
    RtpPacket p;
    try {
      p = new RtpPacket().wrap(data);
    } catch (RtpFormatException e) {
      return;
    }
    check(p.payloadOffset() + p.payloadLength() + p.paddingLength() == data.length, "lengths add up");
    try {
      HeaderExtensions it = p.extensions();
      int lastId = -1;
      while (it.next()) {
        check(it.valueOffset() + it.valueLength() <= p.payloadOffset(), "element inside the header");
        lastId = it.id();
      }
      if (!p.hasExtension() || HeaderExtensions.isRfc8285(p.extensionProfile())) {
        byte[] value = Arrays.copyOf(data, Math.min(data.length, 20));
        int id = lastId > 0 ? lastId : 5;
        byte[] with = new byte[p.sizeWithExtension(id, value.length)];
        int n = p.writeWithExtension(id, value, with, 0);
        RtpPacket q = new RtpPacket().wrap(with, 0, n);
        check(q.extensionLength(id) == value.length, "added element readable");
        check(q.payloadLength() == p.payloadLength(), "payload kept");
        byte[] without = new byte[n];
        int m = q.writeWithoutExtension(id, without, 0);
        check(new RtpPacket().wrap(without, 0, m).extensionOffset(id) == -1, "element removed");
      }
    } catch (RtpFormatException e) {
      // a malformed extension block is found when its elements are read
    }
  }

  @FuzzTest(maxDuration = "2m")
  void rtcpCompound(byte[] data) {
    List<RtcpPacket> packets;
    try {
      packets = RtcpCompound.parse(data);
    } catch (RtpFormatException e) {
      return;
    }
    for (RtcpPacket packet : packets) {
      check(RtcpCompound.parse(packet.toByteArray()).equals(List.of(packet)), "write then parse is identity");
    }
  }

  @FuzzTest(maxDuration = "1m")
  void vp8Descriptor(byte[] data) {
    try {
      Vp8Descriptor d = new Vp8Descriptor().parse(data, 0, data.length);
      check(d.length() < data.length, "payload after the descriptor");
    } catch (RtpFormatException e) {
      // typed
    }
  }

  @FuzzTest(maxDuration = "1m")
  void vp9Descriptor(byte[] data) {
    try {
      Vp9Descriptor d = new Vp9Descriptor().parse(data, 0, data.length);
      check(d.length() <= data.length, "descriptor inside the payload");
    } catch (RtpFormatException e) {
      // typed
    }
  }

  @FuzzTest(maxDuration = "1m")
  void h264Payload(byte[] data) {
    try {
      new H264Payload().parse(data, 0, data.length);
    } catch (RtpFormatException e) {
      // typed
    }
  }

  @FuzzTest(maxDuration = "1m")
  void av1DependencyDescriptor(byte[] data) {
    try {
      new Av1DependencyDescriptor().parse(data, 0, data.length);
    } catch (RtpFormatException e) {
      // typed
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("violated: " + what);
    }
  }
}
