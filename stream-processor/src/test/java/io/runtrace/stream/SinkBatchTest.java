package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SinkBatchTest {
  static final long DAY_NS = 86_400_000_000_000L;
  static final long T0 = 1_763_769_600_000_000_000L; // 2025-11-22T00:00:00Z
  final AtomicLong clock = new AtomicLong(1_000);
  final TopicPartition spans0 = new TopicPartition("spans", 0);
  final TopicPartition runs0 = new TopicPartition("runs", 0);

  SinkBatch batch(int rows, int bytes, int partitions) {
    return new SinkBatch(new SinkSettings("k:1", java.util.Map.of(), "g", "spans", "runs", "db.spans", "db.run_list", "db.run_ids", rows, bytes,
        Duration.ofMillis(500), partitions, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(1),
        ZoneOffset.UTC), clock::get);
  }

  static byte[] span(long startNs) {
    return ("{\"trace_id\":\"a\",\"start_unix_nano\":" + startNs + ",\"version\":1}").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] run(long createdNs) {
    return ("{\"trace_id\":\"a\",\"created_unix_nano\":" + createdNs + "}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void freshnessIsTheAgeOfTheOldestWaitingRecordAndZeroOnceWritten() {
    SinkBatch b = batch(100, 1 << 20, 8);
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    new SinkMetrics(registry, b, clock::get);
    java.util.function.DoubleSupplier freshness = () -> registry.get("runtrace.sink.freshness").gauge().value();
    assertThat(freshness.getAsDouble()).as("nothing waits").isZero();
    clock.set(60_000);
    b.add(spans0, 0, span(T0));
    b.recordTime(50_000);
    b.add(spans0, 1, span(T0));
    b.recordTime(40_000);
    b.recordTime(-1);
    b.add(spans0, 2, span(T0));
    b.recordTime(55_000);
    assertThat(freshness.getAsDouble()).as("oldest record 40 s, read at 60 s").isEqualTo(20.0);
    clock.set(61_500);
    assertThat(freshness.getAsDouble()).isEqualTo(21.5);
    b.clear();
    assertThat(freshness.getAsDouble()).as("written and committed").isZero();
  }

  @Test
  void insertFailuresOfEveryTableAreAtZeroBeforeTheFirst() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    SinkMetrics metrics = new SinkMetrics(registry, batch(100, 1 << 20, 8));
    for (String table : java.util.List.of("spans", "run_list", "run_ids")) {
      assertThat(registry.get("runtrace.sink.insert.failures").tag("table", table).counter().count()).isZero();
    }
    metrics.failed("run_list");
    assertThat(registry.get("runtrace.sink.insert.failures").tag("table", "run_list").counter().count()).isEqualTo(1);
  }

  @Test
  void partitionDayIsReadFromTheRowsTimestampField() {
    PartitionDay day = new PartitionDay("start_unix_nano", ZoneOffset.UTC);
    assertThat(day.of(span(T0))).isEqualTo(20251122);
    assertThat(day.of(span(T0 - 1))).isEqualTo(20251121);
    assertThat(day.of("{\"x\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo(PartitionDay.UNKNOWN);
    assertThat(new PartitionDay("start_unix_nano", ZoneOffset.ofHours(2)).of(span(T0 - 1))).isEqualTo(20251122);
  }

  @Test
  void oneBufferPerTableAndDaySoNoInsertSpansTwoPartitions() {
    SinkBatch batch = batch(100, 1 << 20, 32);
    batch.add(spans0, 0, span(T0));
    batch.add(spans0, 1, span(T0 - 3 * DAY_NS));
    batch.add(spans0, 2, span(T0 + 5));
    batch.add(runs0, 7, run(T0));
    assertThat(batch.pending()).extracting(b -> b.table + "/" + b.day + "/" + b.rows())
        .containsExactly("db.spans/20251122/2", "db.spans/20251119/1", "db.run_list/20251122/1");
    assertThat(batch.offsets()).containsEntry(spans0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(3))
        .containsEntry(runs0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(8));
  }

  @Test
  void fullBeforeRowsBytesOrPartitionsWouldExceedTheirBounds() {
    SinkBatch byRows = batch(2, 1 << 20, 32);
    byRows.add(spans0, 0, span(T0));
    assertThat(byRows.full("spans", span(T0))).isFalse();
    byRows.add(spans0, 1, span(T0));
    assertThat(byRows.full("spans", span(T0))).isTrue();

    SinkBatch byBytes = batch(100, span(T0).length * 2 + 2, 32);
    byBytes.add(spans0, 0, span(T0));
    byBytes.add(spans0, 1, span(T0));
    assertThat(byBytes.bytes()).isEqualTo(span(T0).length * 2L + 2);
    assertThat(byBytes.full("spans", span(T0))).isTrue();

    SinkBatch byPartitions = batch(100, 1 << 20, 2);
    byPartitions.add(spans0, 0, span(T0));
    byPartitions.add(spans0, 1, span(T0 - DAY_NS));
    assertThat(byPartitions.full("spans", span(T0 - DAY_NS))).as("an open day").isFalse();
    assertThat(byPartitions.full("spans", span(T0 - 2 * DAY_NS))).as("a third day").isTrue();
  }

  @Test
  void aRowLargerThanTheByteBoundStillGoesAloneAndTimeMakesItDue() {
    SinkBatch batch = batch(100, 10, 32);
    assertThat(batch.full("spans", span(T0))).isFalse();
    batch.add(spans0, 0, span(T0));
    assertThat(batch.dueByTime()).isFalse();
    clock.addAndGet(500);
    assertThat(batch.dueByTime()).isTrue();
    batch.clear();
    assertThat(batch.isEmpty()).isTrue();
    assertThat(batch.rows()).isZero();
  }

  @Test
  void aBacklogThatWouldFillTheBatchDefersTheTimedInsertUpToTenTimesTheDelay() {
    SinkBatch batch = batch(100, 1 << 20, 32);
    batch.add(spans0, 0, java.util.List.of(span(T0), span(T0 + 1)));
    clock.addAndGet(500);
    assertThat(batch.dueByTime(() -> 10)).as("10 records of 2 rows do not fill 98 free rows").isTrue();
    assertThat(batch.dueByTime(() -> 49)).as("49 records of 2 rows fill them").isFalse();
    clock.addAndGet(SinkBatch.BACKLOG_DELAY_FACTOR * 500 - 500 - 1);
    assertThat(batch.dueByTime(() -> 49)).isFalse();
    clock.addAndGet(1);
    assertThat(batch.dueByTime(() -> 1_000_000)).as("a backlog batch still goes at 10 x the delay").isTrue();
  }

  @Test
  void insertedBuffersAreSkippedOnRetryAndTombstonesOnlyMoveOffsets() {
    SinkBatch batch = batch(100, 1 << 20, 32);
    batch.add(spans0, 0, span(T0));
    batch.add(runs0, 4, run(T0));
    batch.add(runs0, 5, (byte[]) null);
    batch.pending().get(0).markInserted();
    assertThat(batch.pending()).extracting(b -> b.table).containsExactly("db.run_list");
    assertThat(batch.rows()).isEqualTo(2);
    assertThat(batch.offsets().get(runs0).offset()).isEqualTo(6);
  }

  @Test
  void aRecordOfSeveralRowsGoesIntoOneBatchWhole() {
    byte[] two = (new String(span(T0)) + "\n" + new String(span(T0))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(SinkBatch.rows(two)).hasSize(2);
    SinkBatch batch = batch(3, 1 << 20, 32);
    batch.add(spans0, 0, SinkBatch.rows(two));
    assertThat(batch.rows()).isEqualTo(2);
    // Two more rows would pass the row bound: the whole record waits for the next batch.
    assertThat(batch.full("spans", SinkBatch.rows(two))).isTrue();
    assertThat(batch.full("spans", span(T0))).isFalse();
  }

  @Test
  void runIdRowsGoToRunIdsByMonthAndRunListRowsNoteTheirHour() {
    SinkBatch batch = batch(100, 1 << 20, 32);
    long hourAfterT0 = T0 + 3_600_000_000_000L + 5;
    byte[] list = run(hourAfterT0);
    byte[] ids = (RowJson.RUN_ID_ROW_PREFIX + ",\"created_unix_nano\":" + hourAfterT0 + ",\"run_id\":\"r\"}")
        .getBytes(StandardCharsets.UTF_8);
    batch.add(runs0, 0, java.util.List.of(list, ids));
    assertThat(batch.pending()).extracting(b -> b.table + "/" + b.day + "/" + b.rows())
        .containsExactly("db.run_list/20251122/1", "db.run_ids/202511/1");
    assertThat(batch.pending().get(0).hours).containsExactly(T0 / 1_000_000_000L + 3600);
    assertThat(batch.pending().get(1).hours).isEmpty();
  }
}
