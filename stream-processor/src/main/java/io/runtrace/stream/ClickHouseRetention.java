package io.runtrace.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps each table under an age and a byte budget by dropping whole day (or month) partitions on the writer
 * replica (the drop replicates to readers). Partitions older than {@code maxAge} go first; then,
 * while the table's active parts exceed {@code maxBytes}, the oldest partition goes, but never
 * the newest one. Uses only {@code system.parts} and {@code ALTER TABLE … DROP PARTITION}, which
 * ClickHouse 18.16 and current releases share, so one path serves every version. A failure is
 * counted and logged, and the next run tries again.
 */
final class ClickHouseRetention implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClickHouseRetention.class.getName());
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

  /** One table's budget: age and bytes of active parts. */
  record Policy(String table, Duration maxAge, long maxBytes) {}

  private final ClickHouseDatabase writer;
  private final List<Policy> policies;
  private final Clock clock;
  private final ZoneId zone;
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> bytes = new LinkedHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "runtrace-clickhouse-retention");
    t.setDaemon(true);
    return t;
  });

  ClickHouseRetention(ClickHouseDatabase writer, List<Policy> policies, Clock clock, ZoneId zone, MeterRegistry registry) {
    this.writer = writer;
    this.policies = List.copyOf(policies);
    this.clock = clock;
    this.zone = zone;
    this.registry = registry;
    for (Policy p : policies) {
      AtomicLong value = new AtomicLong(-1);
      bytes.put(ClickHouseSql.identifier(p.table()), value);
      Gauge.builder("runtrace.clickhouse.table.bytes", value, AtomicLong::get).tag("table", p.table())
          .description("Bytes on disk of the table's active parts on the writer; -1 until measured")
          .baseUnit("bytes").register(registry);
      // The budget beside the size, so an alert or a panel can divide one by the other.
      Gauge.builder("runtrace.clickhouse.table.retention.bytes", () -> p.maxBytes() == Long.MAX_VALUE ? -1 : p.maxBytes())
          .tag("table", p.table()).description("The table's byte budget on the writer; -1 when it has none")
          .baseUnit("bytes").register(registry);
    }
  }

  /** Runs every {@code interval}, the first time after {@code initialDelay}. */
  ClickHouseRetention start(Duration initialDelay, Duration interval) {
    timer.scheduleWithFixedDelay(this::runOnce, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Applies every policy once; returns the dropped partitions per table. */
  Map<String, List<String>> runOnce() {
    Map<String, List<String>> dropped = new LinkedHashMap<>();
    for (Policy p : policies) {
      try {
        dropped.put(p.table(), apply(p));
      } catch (RuntimeException e) {
        counter("runtrace.retention.failures", p.table(), null).increment();
        LOG.log(Level.WARNING, "retention of " + p.table() + " failed; trying again next run", e);
      }
    }
    return dropped;
  }

  private List<String> apply(Policy p) {
    Map<String, Long> parts = new LinkedHashMap<>();
    long total = 0;
    for (JsonNode row : writer.query("SELECT partition, sum(bytes_on_disk) AS bytes FROM system.parts"
        + " WHERE database = " + ClickHouseSql.literal(writer.database()) + " AND table = "
        + ClickHouseSql.literal(p.table()) + " AND active GROUP BY partition ORDER BY partition")) {
      long b = Long.parseLong(row.get("bytes").asText());
      total += b;
      // Only day (toYYYYMMDD) and month (toYYYYMM) partitions are dropped; anything else is counted but kept.
      if (row.get("partition").asText().matches("\\d{8}|\\d{6}")) parts.put(row.get("partition").asText(), b);
    }
    LocalDate cutoff = LocalDate.ofInstant(clock.instant().minus(p.maxAge()), zone);
    List<String> dropped = new ArrayList<>();
    List<String> days = new ArrayList<>(parts.keySet());
    for (int i = 0; i < days.size(); i++) {
      String day = days.get(i);
      String reason = lastDay(day).isBefore(cutoff) ? "age"
          : total > p.maxBytes() && i < days.size() - 1 ? "bytes" : null;
      if (reason == null) continue;
      writer.execute("ALTER TABLE " + writer.database() + "." + p.table() + " DROP PARTITION "
          + ClickHouseSql.literal(Long.parseLong(day)));
      total -= parts.get(day);
      dropped.add(day);
      counter("runtrace.retention.dropped.partitions", p.table(), reason).increment();
      LOG.log(Level.INFO, "dropped partition " + day + " of " + p.table() + " (" + reason + ")");
    }
    bytes.get(p.table()).set(total);
    return dropped;
  }

  /** The last day a partition holds: the day itself, or a month's last day. */
  private static LocalDate lastDay(String partition) {
    return partition.length() == 8 ? LocalDate.parse(partition, DAY)
        : java.time.YearMonth.parse(partition, DateTimeFormatter.ofPattern("yyyyMM")).atEndOfMonth();
  }

  private Counter counter(String name, String table, String reason) {
    Counter.Builder b = Counter.builder(name).tag("table", table);
    if (reason != null) b.tag("reason", reason);
    return b.register(registry);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
