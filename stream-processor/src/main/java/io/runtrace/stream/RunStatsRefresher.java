package io.runtrace.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the {@code run_stats} rollup: every hour (unix seconds, the hour runs were first seen)
 * the sink wrote {@code run_list} rows for is recomputed from {@code run_list FINAL}, newest hour
 * first, at most {@value #MAX_HOURS_PER_PASS} per pass. A refresh writes a zero row for each group
 * the hour had (version v), then the recomputed groups (v + 1), so a group that emptied reads 0
 * and a repeated or concurrent refresh changes nothing. At start it refreshes the last 24 hours and
 * every hour that has runs but no stats (after an upgrade, or a bulk load). A failed hour is
 * counted, logged and tried again next pass.
 */
final class RunStatsRefresher implements AutoCloseable {
  static final int MAX_HOURS_PER_PASS = 48;
  /** Hours waiting, at most: 30 days of retention is 720. */
  static final int MAX_DIRTY_HOURS = 10_000;
  private static final System.Logger LOG = System.getLogger(RunStatsRefresher.class.getName());

  private final ClickHouseDatabase writer;
  private final String list;
  private final String stats;
  private final Clock clock;
  private final ConcurrentSkipListSet<Long> dirty = new ConcurrentSkipListSet<>(Comparator.reverseOrder());
  private final Counter refreshed;
  private final Counter failures;
  private final Timer timer;
  private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "runtrace-run-stats");
    t.setDaemon(true);
    return t;
  });
  private final java.util.concurrent.atomic.AtomicLong lastVersion = new java.util.concurrent.atomic.AtomicLong();
  private boolean caughtUp;

  RunStatsRefresher(ClickHouseDatabase writer, Clock clock, MeterRegistry registry) {
    this.writer = writer;
    this.list = ClickHouseSql.identifier(writer.database()) + ".run_list";
    this.stats = ClickHouseSql.identifier(writer.database()) + ".run_stats";
    this.clock = clock;
    this.refreshed = Counter.builder("runtrace.stats.refreshed.hours")
        .description("Hours of run_stats recomputed from run_list").register(registry);
    this.failures = Counter.builder("runtrace.stats.refresh.failures")
        .description("Hour refreshes that failed; tried again next pass").register(registry);
    this.timer = Timer.builder("runtrace.stats.refresh").description("Time to recompute one hour").register(registry);
    Gauge.builder("runtrace.stats.dirty.hours", dirty, Collection::size)
        .description("Hours whose stats wait for a refresh").register(registry);
  }

  /** Refreshes every {@code interval}, the first pass at once. */
  RunStatsRefresher start(Duration interval) {
    schedule.scheduleWithFixedDelay(this::refreshOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Hours (unix seconds, whole hours) whose runs changed. */
  void markDirty(Collection<Long> hours) {
    for (Long h : hours) {
      if (dirty.size() >= MAX_DIRTY_HOURS) dirty.pollLast();
      dirty.add(h);
    }
  }

  int dirtyHours() {
    return dirty.size();
  }

  /** One pass: the start-up catch-up until it succeeded once, then the newest dirty hours. */
  void refreshOnce() {
    try {
      if (!caughtUp) {
        markDirty(catchUpHours());
        caughtUp = true;
      }
    } catch (RuntimeException e) {
      failures.increment();
      LOG.log(Level.WARNING, "cannot find the hours run_stats lacks; trying again next pass", e);
      return;
    }
    List<Long> hours = new ArrayList<>();
    for (Long h; hours.size() < MAX_HOURS_PER_PASS && (h = dirty.pollFirst()) != null; ) hours.add(h);
    for (int i = 0; i < hours.size(); i++) {
      try {
        long hour = hours.get(i);
        timer.record(() -> refresh(hour));
        refreshed.increment();
      } catch (RuntimeException e) {
        failures.increment();
        markDirty(hours.subList(i, hours.size()));
        LOG.log(Level.WARNING, "refreshing run_stats for hour " + hours.get(i) + " failed; trying again next pass", e);
        return;
      }
    }
  }

  /** Recomputes one hour: zero rows for the groups it had, then its groups from run_list. */
  void refresh(long hour) {
    // Strictly increasing, two per refresh: equal versions would leave the winner to merge order.
    long version = lastVersion.updateAndGet(v -> Math.max(v + 2, clock.millis() * 1_000_000L));
    String from = "toDateTime(" + ClickHouseSql.literal(hour) + ")";
    String to = "toDateTime(" + ClickHouseSql.literal(hour + 3600) + ")";
    writer.execute("INSERT INTO " + stats + " (tenant, environment, hour, app, function, status, runs, durations, version)"
        + " SELECT tenant, environment, hour, app, function, status, 0,"
        + " quantilesTDigestStateIf(0.5, 0.95, 0.99)(toFloat64(0), 0), " + ClickHouseSql.literal(version)
        + " FROM " + stats + " FINAL WHERE hour = " + from
        + " GROUP BY tenant, environment, hour, app, function, status");
    writer.execute("INSERT INTO " + stats + " (tenant, environment, hour, app, function, status, runs, durations, version)"
        + " SELECT tenant, environment, toStartOfHour(created_time) AS hour, app, function, status, count(),"
        // Duration as the API shows it: from the start, or from the queue when the run never started.
        + " quantilesTDigestStateIf(0.5, 0.95, 0.99)(toFloat64(ended_unix_nano - since) / 1000000,"
        + " ended_unix_nano > 0 AND since > 0 AND ended_unix_nano >= since), " + ClickHouseSql.literal(version + 1)
        + " FROM (SELECT tenant, environment, created_time, app, function, status, ended_unix_nano,"
        + " if(started_unix_nano > 0, started_unix_nano, queued_unix_nano) AS since"
        + " FROM " + list + " FINAL WHERE created_time >= " + from + " AND created_time < " + to + " AND deleted = 0)"
        + " GROUP BY tenant, environment, hour, app, function, status");
  }

  /** The last 24 hours, and every hour with runs but without stats. */
  private List<Long> catchUpHours() {
    List<Long> hours = new ArrayList<>();
    long now = clock.millis() / 1000 / 3600 * 3600;
    for (int i = 0; i < 24; i++) hours.add(now - i * 3600L);
    writer.query("SELECT DISTINCT toUInt32(toStartOfHour(created_time)) AS h FROM " + list
        + " WHERE toStartOfHour(created_time) NOT IN (SELECT DISTINCT hour FROM " + stats + ")")
        .forEach(r -> hours.add(r.get("h").asLong()));
    return hours;
  }

  @Override
  public void close() {
    schedule.shutdownNow();
  }
}
