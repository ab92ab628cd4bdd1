package io.runtrace.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.demo.DashboardFiles.Query;
import io.runtrace.demo.GrafanaMacros.Variable;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.schema.SchemaMigrator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What each query of dashboards/run-history.json reads at scale: 1,000,000 runs of 100 tenants
 * over 30 days in {@code run_list}, and their hourly rollup in {@code run_stats}, on the reader.
 * One tenant's last 24 hours, "All" environments and functions, as Grafana would ask. Rows read
 * come from the reader's {@code system.query_log}; each query must read a small share of its
 * table, and the figures are printed. Once per ClickHouse engine.
 */
@ForEachClickHouseEngine
class RunHistoryDashboardRowsReadIT {
  static final int TENANTS = 100;
  static final int RUNS = 1_000_000;
  static final int DAYS = 30;
  private final ClickHouseEngine engine;

  RunHistoryDashboardRowsReadIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  @Test
  void everyQueryReadsASmallShareOfItsTableAtAMillionRuns(LocalStack stack) throws Exception {
    ClickHouseDeployment ch = stack.clickHouse(engine);
    String database = "dash_rows_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    // The rollup of a million runs takes 18.16 about half a minute: more than the client's default wait.
    try (ClickHouseDatabase writer = ClickHouseDatabase.builder().url(ch.writerUrl()).database(database)
            .socketTimeout(Duration.ofMinutes(5)).build();
        ClickHouseDatabase reader = ClickHouseDatabase.builder().url(ch.readerUrl()).database(database).build()) {
      SchemaMigrator.Builder migrator = SchemaMigrator.builder().clickHouse(writer).database(database)
          .replicated(ch.replicated());
      if (ch.replicated()) migrator.clickHouse(reader);
      migrator.build().migrate();
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      load(writer, now);
      awaitOnReader(reader, "SELECT count() AS n FROM run_list", RUNS);
      long statsRows = writer.query("SELECT count() AS n FROM run_stats").get(0).get("n").asLong();
      awaitOnReader(reader, "SELECT count() AS n FROM run_stats", statsRows);

      DashboardReader grafana = new DashboardReader(ch.readerUrl(), database,
          DashboardFiles.yaml("provisioning/datasources/runtrace.yaml"));
      JsonNode dashboard = DashboardFiles.json("run-history.json");
      Instant from = now.minus(Duration.ofHours(24));
      Map<String, Variable> selection = new LinkedHashMap<>();
      selection.put("tenant", Variable.single("tenant_7"));
      selection.put("environment", Variable.all(List.of("production", "staging")));
      selection.put("function", Variable.all(List.of("fn_0", "fn_1", "fn_2", "fn_3", "fn_4")));
      System.out.printf("rows read by run-history.json on ClickHouse %s: %,d runs (run_list), %,d run_stats rows,"
          + " %d tenants, %d days; tenant_7, last 24 h, All%n", engine.label(), RUNS, statsRows, TENANTS, DAYS);
      for (Query q : DashboardFiles.queries(dashboard)) {
        Duration interval = q.minInterval().compareTo(Duration.ofSeconds(60)) > 0 ? q.minInterval() : Duration.ofSeconds(60);
        String sql = GrafanaMacros.expand(q.rawSql(), selection, from, now, interval);
        String id = "dash-rows-" + UUID.randomUUID();
        DashboardReader.Result result = grafana.query(q.where(), sql, Map.of("log_queries", "1", "query_id", id));
        long read = readRows(reader, id);
        long table = q.rawSql().contains("run_stats") ? statsRows : RUNS;
        System.out.printf("  %-48s %,9d rows read of %,d (%.2f%%), %d rows returned%n", q.where(), read, table,
            100.0 * read / table, result.rows().size());
        assertThat(result.rows()).as(q.where() + " answers").isNotEmpty();
        // The tenant variable reads every tenant's rollup rows of the range's days: the one query
        // not keyed by tenant, bounded by the partition of the range.
        double share = q.where().equals("variable tenant") ? 0.15 : 0.02;
        assertThat(read).as(q.where() + " rows read of " + table).isLessThan((long) (table * share));
      }
    }
  }

  /** Runs spread evenly over tenants, days, environments, functions and statuses; the rollup computed from them. */
  private static void load(ClickHouseDatabase writer, Instant now) {
    long nowNs = now.getEpochSecond() * 1_000_000_000L;
    long spanNs = DAYS * 86_400L * 1_000_000_000L;
    writer.execute("INSERT INTO run_list (tenant, environment, created_unix_nano, trace_id, run_id, app, function,"
        + " status, stale, queued_unix_nano, started_unix_nano, ended_unix_nano, last_span_unix_nano,"
        + " updated_unix_nano, span_count, attempts, error, error_span_id, deleted, version)"
        + " SELECT concat('tenant_', toString(number % " + TENANTS + ")) AS tenant,"
        + " if(intDiv(number, " + TENANTS + ") % 2 = 0, 'production', 'staging') AS environment,"
        + " toUInt64(" + nowNs + " - (number * 7919 % " + RUNS + ") * " + (spanNs / RUNS) + ") AS created,"
        + " lower(hex(MD5(toString(number)))) AS trace_id, concat('run_', toString(number)) AS run_id, 'app',"
        + " concat('fn_', toString(intDiv(number, 200) % 5)) AS function,"
        + " ['completed', 'completed', 'completed', 'failed', 'running', 'timed_out'][number % 6 + 1] AS status,"
        + " toUInt8(number % 11 = 0) AS stale, created, created + 1000000, created + 1000000 + (number % 5000) * 1000000,"
        + " created + 1000000, created + 1000000, 3, 1,"
        + " if(number % 6 IN (3, 5), concat('error ', toString(number % 13)), '') AS error, '', 0, 1"
        + " FROM system.numbers LIMIT " + RUNS);
    writer.execute("INSERT INTO run_stats (tenant, environment, hour, app, function, status, runs, durations, version)"
        + " SELECT tenant, environment, toStartOfHour(toDateTime(intDiv(created_unix_nano, 1000000000))) AS hour, app,"
        + " function, status, count(),"
        + " quantilesTDigestState(0.5, 0.95, 0.99)(toFloat64(ended_unix_nano - started_unix_nano) / 1e6), 1"
        + " FROM run_list GROUP BY tenant, environment, hour, app, function, status");
  }

  private static void awaitOnReader(ClickHouseDatabase reader, String sql, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline) {
      seen = reader.query(sql).get(0).get("n").asLong();
      if (seen == expected) return;
      Thread.sleep(500);
    }
    throw new AssertionError(sql + " on the reader: " + seen + ", expected " + expected);
  }

  private static long readRows(ClickHouseDatabase reader, String queryId) throws InterruptedException {
    for (long deadline = System.nanoTime() + 10_000_000_000L; System.nanoTime() < deadline; ) {
      reader.execute("SYSTEM FLUSH LOGS");
      List<JsonNode> rows = reader.queryInDefault("SELECT read_rows FROM system.query_log WHERE query_id = "
          + ClickHouseSql.literal(queryId) + " AND CAST(type AS Int8) = 2"); // QueryFinish: UInt8 on 18.16, Enum8 on 26.7
      if (!rows.isEmpty()) return rows.get(0).get("read_rows").asLong();
      Thread.sleep(200);
    }
    throw new AssertionError("no query_log entry for " + queryId);
  }
}
