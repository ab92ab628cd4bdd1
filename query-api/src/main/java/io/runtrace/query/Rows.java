package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Reading JSONEachRow values the way 18.16 and current servers write them. */
final class Rows {
  // Fixed nine fraction digits: nanosecond precision, and the strings sort as the instants do.
  private static final DateTimeFormatter ISO_NANOS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Rows() {}

  /** A UInt/Int column; ClickHouse quotes 64-bit integers as JSON strings. 0 when absent. */
  static long longValue(JsonNode row, String field) {
    JsonNode v = row.get(field);
    if (v == null || v.isNull()) return 0;
    if (v.isNumber()) return v.asLong();
    String text = v.asText();
    if (text.isEmpty()) return 0;
    try {
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A String column; empty when absent. */
  static String text(JsonNode row, String field) {
    JsonNode v = row.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  /** Unix nanoseconds as ISO-8601 UTC with nine fraction digits; null for 0 (not known). */
  static String isoOrNull(long unixNanos) {
    return unixNanos <= 0 ? null : iso(Instant.ofEpochSecond(0, unixNanos));
  }

  static String iso(Instant instant) {
    return ISO_NANOS.format(instant);
  }

  /** Milliseconds between two unix-nano instants, with microsecond resolution. */
  static double millisBetween(long startNanos, long endNanos) {
    return Math.round((endNanos - startNanos) / 1_000.0) / 1_000.0;
  }
}
