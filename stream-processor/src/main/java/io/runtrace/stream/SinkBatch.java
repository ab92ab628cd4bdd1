package io.runtrace.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One batch of the sink: a buffer per (table, partition day) and the next offset of every Kafka
 * partition it covers. Rows and bytes are readable from other threads for the gauges.
 */
final class SinkBatch {
  /** While a backlog fills a batch, its oldest row waits at most this many times {@code maxBatchDelay}. */
  static final int BACKLOG_DELAY_FACTOR = 10;
  private final SinkSettings settings;
  private final LongSupplier clockMs;
  private static final long SPANS = 0;
  private static final long RUN_LIST = 1;
  private static final long RUN_IDS = 2;
  private static final byte[] RUN_ID_PREFIX = RowJson.RUN_ID_ROW_PREFIX.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private final PartitionDay spanDay;
  private final PartitionDay runDay;
  private final String[] tables;
  private final Map<Long, SinkBuffer> buffers = new LinkedHashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
  private volatile int rows;
  private int records;
  private volatile long bytes;
  private long startedMs = -1;
  private volatile long oldestRecordMs;

  SinkBatch(SinkSettings settings, LongSupplier clockMs) {
    this.settings = settings;
    this.clockMs = clockMs;
    this.tables = new String[] {settings.spansTable(), settings.runListTable(), settings.runIdsTable()};
    this.spanDay = new PartitionDay("start_unix_nano", settings.partitionZone());
    this.runDay = new PartitionDay("created_unix_nano", settings.partitionZone());
  }

  /** The rows of a record value: one JSON object per line; none for a null value (tombstone). */
  static List<byte[]> rows(byte[] value) {
    if (value == null) return List.of();
    List<byte[]> rows = new ArrayList<>(1);
    int start = 0;
    for (int i = 0; i <= value.length; i++) {
      if (i == value.length || value[i] == '\n') {
        if (i > start) rows.add(i == value.length && start == 0 ? value : Arrays.copyOfRange(value, start, i));
        start = i + 1;
      }
    }
    return rows;
  }

  /** Each row's (table, day) group, found once per row: finding the day scans the row's bytes. */
  long[] keys(String topic, List<byte[]> recordRows) {
    long[] keys = new long[recordRows.size()];
    for (int i = 0; i < keys.length; i++) keys[i] = key(topic, recordRows.get(i));
    return keys;
  }

  /** True when adding a record's rows would break a bound; the caller inserts the batch first. */
  boolean full(String topic, List<byte[]> recordRows) {
    return full(keys(topic, recordRows), recordRows);
  }

  /** As {@link #full(String, List)}, with the rows' {@link #keys}. */
  boolean full(long[] keys, List<byte[]> recordRows) {
    if (rows == 0) return false;
    long addBytes = 0;
    Set<Long> newKeys = new HashSet<>();
    for (int i = 0; i < keys.length; i++) {
      addBytes += recordRows.get(i).length + 1;
      if (!buffers.containsKey(keys[i])) newKeys.add(keys[i]);
    }
    if (rows + recordRows.size() > settings.maxBatchRows() || bytes + addBytes > settings.maxBatchBytes()) return true;
    return buffers.size() + newKeys.size() > settings.maxPartitionsPerBatch();
  }

  /** True when adding this row would break a bound. */
  boolean full(String topic, byte[] row) {
    return full(topic, List.of(row));
  }

  /** Adds a record's rows; a tombstone (no rows) only moves the partition's offset. */
  void add(TopicPartition partition, long offset, List<byte[]> recordRows) {
    add(partition, offset, recordRows, keys(partition.topic(), recordRows));
  }

  /** As {@link #add(TopicPartition, long, List)}, with the rows' {@link #keys}. */
  void add(TopicPartition partition, long offset, List<byte[]> recordRows, long[] keys) {
    offsets.put(partition, new OffsetAndMetadata(offset + 1));
    if (keys.length > 0) records++;
    for (int i = 0; i < keys.length; i++) {
      byte[] row = recordRows.get(i);
      long key = keys[i];
      SinkBuffer buffer = buffers.computeIfAbsent(key, k -> new SinkBuffer(tables[(int) (k >>> 32)], (int) k.longValue()));
      buffer.add(row);
      if (key >>> 32 == RUN_LIST) {
        long created = runDay.nanos(row);
        if (created >= 0) buffer.hours.add(created / 3_600_000_000_000L * 3600);
      }
      if (rows == 0) startedMs = clockMs.getAsLong();
      rows = rows + 1;
      bytes = bytes + row.length + 1;
    }
  }

  /**
   * Notes the Kafka timestamp (unix ms) of a record whose rows were just added, for
   * {@link #oldestRecordMs()}; records with no timestamp (negative) are ignored.
   */
  void recordTime(long timestampMs) {
    if (timestampMs > 0 && (oldestRecordMs == 0 || timestampMs < oldestRecordMs)) oldestRecordMs = timestampMs;
  }

  /** The oldest Kafka timestamp (unix ms) among the records waiting in this batch, or 0 when none wait. */
  long oldestRecordMs() {
    return oldestRecordMs;
  }

  /** Adds one row; a null row (tombstone) only moves the partition's offset. */
  void add(TopicPartition partition, long offset, byte[] row) {
    add(partition, offset, rows(row));
  }

  /** The row's (table, partition) group: a day, or for run_ids (monthly partitions) a month. */
  private long key(String topic, byte[] row) {
    if (topic.equals(settings.spansTopic())) return SPANS << 32 | spanDay.of(row);
    if (startsWith(row, RUN_ID_PREFIX)) return RUN_IDS << 32 | runDay.of(row) / 100;
    return RUN_LIST << 32 | runDay.of(row);
  }

  private static boolean startsWith(byte[] row, byte[] prefix) {
    if (row.length < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if (row[i] != prefix[i]) return false;
    return true;
  }

  /** True when rows wait and the oldest waited {@code maxBatchDelay}. */
  boolean dueByTime() {
    return dueByTime(() -> 0);
  }

  /**
   * True when rows wait and the oldest waited {@code maxBatchDelay}, unless the records already
   * waiting in Kafka ({@code lagRecords}) would fill the batch: then waiting adds no delay that the
   * backlog did not, and fuller batches make fewer, larger parts, so less merge and replication
   * work for ClickHouse. A backlog batch still goes at {@link #BACKLOG_DELAY_FACTOR} × the delay.
   */
  boolean dueByTime(LongSupplier lagRecords) {
    if (rows == 0) return false;
    long delay = settings.maxBatchDelay().toMillis();
    long age = clockMs.getAsLong() - startedMs;
    if (age < delay) return false;
    if (age >= BACKLOG_DELAY_FACTOR * delay) return true;
    if (rows >= settings.maxBatchRows() || bytes >= settings.maxBatchBytes()) return true;
    long lag = lagRecords.getAsLong();
    if (lag <= 0) return true;
    boolean fillsRows = (double) lag * rows / records >= settings.maxBatchRows() - rows;
    boolean fillsBytes = (double) lag * bytes / records >= settings.maxBatchBytes() - bytes;
    return !(fillsRows || fillsBytes);
  }

  boolean isEmpty() {
    return rows == 0 && offsets.isEmpty();
  }

  int rows() {
    return rows;
  }

  long bytes() {
    return bytes;
  }

  /** The buffers not yet accepted by ClickHouse, in first-seen order. */
  List<SinkBuffer> pending() {
    List<SinkBuffer> out = new ArrayList<>();
    for (SinkBuffer b : buffers.values()) if (!b.inserted()) out.add(b);
    return out;
  }

  Collection<SinkBuffer> buffers() {
    return buffers.values();
  }

  Map<TopicPartition, OffsetAndMetadata> offsets() {
    return offsets;
  }

  void clear() {
    buffers.clear();
    offsets.clear();
    rows = 0;
    records = 0;
    bytes = 0;
    startedMs = -1;
    oldestRecordMs = 0;
  }
}
