package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Application-defined, PT 204 (RFC 3550 §6.7): a 5-bit subtype, the sender's SSRC, a four-character
 * ASCII name and application data (a multiple of 4 bytes).
 *
 * <pre>
 * |V=2|P| subtype |   PT=APP=204  |             length            |
 * |                           SSRC/CSRC                           |
 * |                          name (ASCII)                         |
 * |                   application-dependent data                ...
 * </pre>
 */
public record App(int subtype, int ssrc, String name, byte[] data) implements RtcpPacket {
  public App {
    if (subtype < 0 || subtype > 31) {
      throw new IllegalArgumentException("APP subtype " + subtype);
    }
    if (name.length() != 4 || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
      throw new IllegalArgumentException("APP name must be 4 ASCII characters: " + name);
    }
    if (data.length % 4 != 0) {
      throw new IllegalArgumentException("APP data of " + data.length + " bytes, not a multiple of 4");
    }
    data = data.clone();
  }

  public static App parse(byte[] b, int off, int len) {
    Rtcp.requireLength("APP", 12, len);
    // Padding was removed by the caller; data keeps whole words only.
    int dataLen = (len - 12) & ~3;
    byte[] name = Arrays.copyOfRange(b, off + 8, off + 12);
    for (int i = 0; i < 4; i++) {
      name[i] &= 0x7f;
    }
    return new App(
        Rtcp.count(b, off),
        Bytes.i32(b, off + 4),
        new String(name, StandardCharsets.US_ASCII),
        Arrays.copyOfRange(b, off + 12, off + 12 + dataLen));
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public int size() {
    return 12 + data.length;
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, subtype, Rtcp.APP, size);
    Bytes.put32(dst, off + 4, ssrc);
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, dst, off + 8, 4);
    System.arraycopy(data, 0, dst, off + 12, data.length);
    return size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof App a
        && a.subtype == subtype
        && a.ssrc == ssrc
        && a.name.equals(name)
        && Arrays.equals(a.data, data);
  }

  @Override
  public int hashCode() {
    return ((subtype * 31 + ssrc) * 31 + name.hashCode()) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "App[subtype=" + subtype + ", ssrc=" + Integer.toUnsignedString(ssrc) + ", name=" + name
        + ", data=" + data.length + " bytes]";
  }
}
