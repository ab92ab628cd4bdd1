package io.runtrace.stream;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Rows waiting for one ClickHouse table, as one JSONEachRow body, plus the offsets they cover.
 * A failed insert is retried with the same bytes, so replicated-insert dedup drops a block that
 * did land before the failure was seen.
 */
final class SinkBuffer {
  final String table;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 16);
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
  private int rows;
  private boolean inserted;

  SinkBuffer(String table) {
    this.table = table;
  }

  void add(TopicPartition partition, long offset, byte[] row) {
    body.write(row, 0, row.length);
    body.write('\n');
    rows++;
    offsets.put(partition, new OffsetAndMetadata(offset + 1));
  }

  int rows() {
    return rows;
  }

  int bytes() {
    return body.size();
  }

  byte[] body() {
    return body.toByteArray();
  }

  Map<TopicPartition, OffsetAndMetadata> offsets() {
    return offsets;
  }

  /** Marks the body as accepted by ClickHouse; later retries of the batch skip this table. */
  void markInserted() {
    inserted = true;
  }

  boolean inserted() {
    return inserted || rows == 0;
  }

  void clear() {
    body.reset();
    offsets.clear();
    rows = 0;
    inserted = false;
  }
}
