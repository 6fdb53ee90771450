package dev.fanout.rtp;

import java.util.HexFormat;

/** Hex for test vectors: whitespace, line breaks and {@code |} separators are ignored. */
public final class Hex {
  private Hex() {}

  public static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
  }

  public static String of(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  public static String of(byte[] bytes, int off, int len) {
    return HexFormat.of().formatHex(bytes, off, off + len);
  }
}
