package dev.fanout.ice.stun;

import java.util.zip.CRC32;

/** The FINGERPRINT value (RFC 8489 §14.7): CRC-32 of the message so far, XOR 0x5354554e. */
final class Fingerprint {
  static final int XOR = 0x5354554e;

  private Fingerprint() {}

  /** The fingerprint of {@code length} bytes of {@code buf} from {@code offset}. */
  static int compute(byte[] buf, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(buf, offset, length);
    return (int) crc.getValue() ^ XOR;
  }
}
