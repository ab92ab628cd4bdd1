package io.runtrace.stream;

import java.nio.charset.StandardCharsets;

/** Hand-edits encoded bytes, for input that protobuf's builders refuse to produce. */
final class TestEncoding {
  private TestEncoding() {}

  /** Replaces the one occurrence of a marker string with bytes of the same length. */
  static byte[] replace(byte[] encoded, String marker, byte[] with) {
    byte[] m = marker.getBytes(StandardCharsets.UTF_8);
    if (m.length != with.length) throw new IllegalArgumentException("lengths differ");
    byte[] out = encoded.clone();
    for (int i = 0; i + m.length <= out.length; i++) {
      boolean match = true;
      for (int j = 0; j < m.length && match; j++) match = out[i + j] == m[j];
      if (match) {
        System.arraycopy(with, 0, out, i, with.length);
        return out;
      }
    }
    throw new IllegalArgumentException("marker not found: " + marker);
  }
}
