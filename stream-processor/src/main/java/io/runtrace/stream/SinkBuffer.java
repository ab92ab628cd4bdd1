package io.runtrace.stream;

import java.io.ByteArrayOutputStream;

/**
 * Rows waiting for one partition (day) of one ClickHouse table, as one JSONEachRow body. A failed
 * insert is retried with the same bytes, so replicated-insert dedup drops a block that did land
 * before the failure was seen.
 */
final class SinkBuffer {
  final String table;
  final int day;
  private final Body body = new Body();
  private int rows;
  private boolean inserted;
  /** For run_list rows: the hours (unix seconds) the runs were first seen in, for the stats rollup. */
  final java.util.Set<Long> hours = new java.util.TreeSet<>();

  SinkBuffer(String table, int day) {
    this.table = table;
    this.day = day;
  }

  void add(byte[] row) {
    body.write(row, 0, row.length);
    body.write('\n');
    rows++;
  }

  int rows() {
    return rows;
  }

  int bytes() {
    return body.size();
  }

  /** The body's bytes, not copied: valid up to {@link #bytes()}, until the next {@link #add}. */
  byte[] body() {
    return body.buffer();
  }

  /** Marks the body as accepted by ClickHouse; later retries of the batch skip it. */
  void markInserted() {
    inserted = true;
  }

  boolean inserted() {
    return inserted || rows == 0;
  }

  /** A body whose bytes are handed to the insert without a copy: batches run to tens of MiB. */
  private static final class Body extends ByteArrayOutputStream {
    Body() {
      super(1 << 14);
    }

    byte[] buffer() {
      return buf;
    }
  }
}
