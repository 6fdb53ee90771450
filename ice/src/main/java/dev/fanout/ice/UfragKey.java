package dev.fanout.ice;

import java.nio.charset.StandardCharsets;

/**
 * A local ufrag as the key of {@link IceMux}'s table, compared as bytes. A registered key owns a
 * copy of its bytes; the port loop's probe is re-aimed at the USERNAME bytes of each received
 * request, so routing a request by ufrag decodes nothing and allocates nothing.
 */
final class UfragKey {
  private byte[] bytes;
  private int offset;
  private int length;
  private int hash;

  private UfragKey() {}

  /** A key for a registered ufrag. */
  static UfragKey of(String ufrag) {
    byte[] b = ufrag.getBytes(StandardCharsets.US_ASCII);
    return new UfragKey().wrap(b, 0, b.length);
  }

  /** A probe to {@link #wrap} over received bytes; one per thread. */
  static UfragKey probe() {
    return new UfragKey();
  }

  /** Aims this key at {@code b[offset, offset + length)}; the bytes must not change while used. */
  UfragKey wrap(byte[] b, int offset, int length) {
    this.bytes = b;
    this.offset = offset;
    this.length = length;
    int h = 1;
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + b[i];
    }
    this.hash = h;
    return this;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof UfragKey k) || k.length != length || k.hash != hash) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bytes[offset + i] != k.bytes[k.offset + i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return new String(bytes, offset, length, StandardCharsets.US_ASCII);
  }
}
