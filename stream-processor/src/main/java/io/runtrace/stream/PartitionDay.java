package io.runtrace.stream;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Finds the partition day ({@code toYYYYMMDD} of a nanosecond timestamp field) of a JSON row
 * without parsing it: rows stay the bytes the processor wrote, so retries are byte-identical.
 */
final class PartitionDay {
  /** Rows without the field, or with a value that is not a number. */
  static final int UNKNOWN = 0;

  private final byte[] needle;
  private final ZoneId zone;

  PartitionDay(String field, ZoneId zone) {
    this.needle = ("\"" + field + "\":").getBytes(StandardCharsets.UTF_8);
    this.zone = zone;
  }

  /** The day as {@code yyyyMMdd}, or {@link #UNKNOWN}. */
  int of(byte[] row) {
    long nanos = nanos(row);
    if (nanos < 0) return UNKNOWN;
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochSecond(nanos / 1_000_000_000L), zone);
    return day.getYear() * 10_000 + day.getMonthValue() * 100 + day.getDayOfMonth();
  }

  /** The field's value in nanoseconds, or -1 when the row has no such number. */
  long nanos(byte[] row) {
    int at = indexOf(row);
    if (at < 0) return -1;
    long nanos = 0;
    int i = at + needle.length;
    while (i < row.length && row[i] == ' ') i++;
    int digits = 0;
    for (; i < row.length && row[i] >= '0' && row[i] <= '9' && digits < 19; i++, digits++) {
      nanos = nanos * 10 + (row[i] - '0');
    }
    return digits == 0 ? -1 : nanos;
  }

  private int indexOf(byte[] row) {
    outer:
    for (int i = 0; i <= row.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (row[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
