package io.runtrace.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The sink's meters, in Prometheus as {@code runtrace_sink_*}. */
final class SinkMetrics {
  /** The tables the sink writes, as tagged on its meters. */
  static final java.util.List<String> TABLES = java.util.List.of("spans", "run_list", "run_ids");
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> rows = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> bytes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> inserts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> failures = new ConcurrentHashMap<>();
  final Timer insertLatency;
  final Counter commitFailures;
  final Counter loopErrors;
  final Counter rebalanceDrops;
  final AtomicInteger paused = new AtomicInteger();

  SinkMetrics(MeterRegistry registry, SinkBatch batch) {
    this(registry, batch, System::currentTimeMillis);
  }

  SinkMetrics(MeterRegistry registry, SinkBatch batch, java.util.function.LongSupplier clockMs) {
    this.registry = registry;
    insertLatency = Timer.builder("runtrace.sink.insert.latency").publishPercentiles(0.5, 0.99)
        .description("Time for one ClickHouse insert (one table, one partition)").register(registry);
    commitFailures = Counter.builder("runtrace.sink.commit.failures")
        .description("Offset commits that failed after an insert; the rows are read again").register(registry);
    loopErrors = Counter.builder("runtrace.sink.errors")
        .description("Unexpected errors in the sink loop; the batch is dropped and read again").register(registry);
    rebalanceDrops = Counter.builder("runtrace.sink.rebalance.dropped.rows")
        .description("Buffered rows dropped on a rebalance, to be read again from the last commit").register(registry);
    Gauge.builder("runtrace.sink.buffered.rows", batch, SinkBatch::rows)
        .description("Rows waiting for the next insert").register(registry);
    Gauge.builder("runtrace.sink.buffered.bytes", batch, SinkBatch::bytes)
        .description("Bytes of JSONEachRow waiting for the next insert").baseUnit("bytes").register(registry);
    // Age of what the read model lacks: rows read from Kafka but not yet in ClickHouse. It grows
    // while inserts fail or a backlog drains, and is near the batch delay when all is well.
    Gauge.builder("runtrace.sink.freshness", batch, b -> freshnessSeconds(b.oldestRecordMs(), clockMs.getAsLong()))
        .description("Seconds since the Kafka timestamp of the oldest record the sink read but has not written yet; 0 when none waits")
        .baseUnit("seconds").register(registry);
    // At zero from the start, so that a panel or an alert on failures has a series before the first one.
    for (String table : TABLES) failed(table, false);
    Gauge.builder("runtrace.sink.paused", paused, AtomicInteger::get)
        .description("1 while consumption is paused because ClickHouse refuses inserts").register(registry);
  }

  static double freshnessSeconds(long oldestRecordMs, long nowMs) {
    return oldestRecordMs == 0 ? 0 : Math.max(0, nowMs - oldestRecordMs) / 1000.0;
  }

  void inserted(String table, int rowCount, long byteCount, long nanos) {
    insertLatency.record(nanos, TimeUnit.NANOSECONDS);
    counter(bytes, "runtrace.sink.bytes", table, "Bytes of JSONEachRow ClickHouse accepted").increment(byteCount);
    counter(inserts, "runtrace.sink.inserts", table, "Inserts ClickHouse accepted").increment();
    counter(rows, "runtrace.sink.rows", table, "Rows ClickHouse accepted").increment(rowCount);
  }

  void failed(String table) {
    failed(table, true);
  }

  private void failed(String table, boolean count) {
    Counter c = counter(failures, "runtrace.sink.insert.failures", table, "Inserts that failed and will be retried");
    if (count) c.increment();
  }

  private Counter counter(ConcurrentHashMap<String, Counter> cache, String name, String table, String description) {
    return cache.computeIfAbsent(table, t -> Counter.builder(name).tag("table", t).description(description)
        .register(registry));
  }
}
