package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.clickhouse.ClickHouseDialect.Feature;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.schema.SchemaMigrator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What each modern feature buys ({@code bin/bench-schema}): the same generated run history
 * ({@link RunHistoryLoad}) in the same tables, created by the migration files and read with each
 * {@link ClickHouseDialect} feature set, on ClickHouse 18.16 and 26.7 side by side. Prints bytes per span and per run after merging,
 * and p50/p99 of the queries query-api sends. Asserts nothing.
 */
public final class SchemaBenchmark {
  static final long RUNS = Long.getLong("bench.runs", 1_000_000L);
  static final int CALLS = Integer.getInteger("bench.calls", 30);
  /** Comma-separated variant names to run (e.g. {@code 18.16 path,LC + codecs}); all when unset. */
  static final String ONLY = System.getProperty("bench.variants", "");

  private SchemaBenchmark() {}

  record Variant(ClickHouseEngine engine, String name, ClickHouseDialect dialect) {}

  public static void main(String[] args) throws Exception {
    ClickHouseDialect modern = ClickHouseDialect.of(io.runtrace.clickhouse.ClickHouseVersion.parse("26.7"));
    // Cumulative on 26.7: each variant adds one feature to the one before.
    List<Variant> variants = List.of(
        new Variant(ClickHouseEngine.V18_16, "18.16 path", ClickHouseDialect.legacy()),
        new Variant(ClickHouseEngine.V26_7, "18.16 path", ClickHouseDialect.legacy()),
        new Variant(ClickHouseEngine.V26_7, "FINAL per partition", modern.without(Feature.LOW_CARDINALITY,
            Feature.CODECS, Feature.SKIP_INDEXES, Feature.NON_REPLICATED_DEDUPLICATION)),
        new Variant(ClickHouseEngine.V26_7, "+ LowCardinality", modern.without(Feature.CODECS, Feature.SKIP_INDEXES,
            Feature.NON_REPLICATED_DEDUPLICATION)),
        new Variant(ClickHouseEngine.V26_7, "+ codecs (all)", modern));
    Path work = Path.of(System.getProperty("user.dir"), "target", "bench-schema-stack");
    try (LocalStack stack = LocalStack.builder().workDir(work).clickHouseEngines(ClickHouseEngine.values())
        .build().start()) {
      System.out.printf("%,d runs, %,d spans each; %d calls per query; %d cores, java %s%n", RUNS,
          RunHistoryLoad.SPANS_PER_RUN, CALLS, Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      List<String> rows = new ArrayList<>();
      for (Variant v : variants) {
        if (ONLY.isEmpty() || List.of(ONLY.split(",")).contains(v.name())) {
          rows.add(measure(stack.clickHouse(v.engine()).writerUrl(), v));
        }
      }
      System.out.println();
      System.out.println(String.format("%-8s %-20s %7s %7s %7s %-11s %-11s %-11s %-11s %-11s %-11s %9s", "engine",
          "schema", "load s", "B/span", "B/run", "page", "failed", "by id", "trace", "run by key", "trace 2 h",
          "rows/id"));
      rows.forEach(System.out::println);
      System.out.println("(ms, p50 / p99 of " + CALLS + " calls. page, failed, by id, trace: the SQL query-api sends"
          + " today (one tenant's newest 50 runs, the same for status failed, a run by id, its spans); run by key and"
          + " trace 2 h: a run by trace id and its spans within 2 hours, reads through the key. rows/id: rows the"
          + " by-id lookup read, from system.query_log)");
    }
  }

  private static String measure(URI url, Variant v) {
    String db = ("bench_" + v.engine().label() + "_" + v.name()).replaceAll("[^A-Za-z0-9]+", "_");
    try (ClickHouseDatabase ch = ClickHouseDatabase.builder().url(url).database(db).dialect(v.dialect())
        .socketTimeout(Duration.ofMinutes(30)).maxExecutionTime(Duration.ofMinutes(5)).build()) {
      ch.dropDatabaseIfExists(db);
      ch.createDatabaseIfMissing(db);
      SchemaMigrator.clickHouseStatements(db, false, v.dialect()).forEach(ch::execute);
      long begin = System.nanoTime();
      RunHistoryLoad.load(ch, RUNS);
      ch.execute("OPTIMIZE TABLE " + db + ".runs FINAL");
      ch.execute("OPTIMIZE TABLE " + db + ".spans FINAL");
      double loadSeconds = (System.nanoTime() - begin) / 1e9;
      Map<String, long[]> bytes = new LinkedHashMap<>();
      for (JsonNode r : ch.query("SELECT table, sum(rows) AS n, sum(bytes_on_disk) AS b FROM system.parts"
          + " WHERE database = '" + db + "' AND active GROUP BY table")) {
        bytes.put(r.get("table").asText(), new long[] {Rows.longValue(r, "n"), Rows.longValue(r, "b")});
      }
      String runId = ch.query(RunHistoryLoad.runIdSql(RUNS / 2)).get(0).get("r").asText();
      JsonNode run = ch.query(new SelectRunById(db).sql(runId, Optional.empty(), Optional.empty())).get(0);
      RunFilter page = new RunFilter(Optional.of("tenant-3"), Optional.of("production"), List.of(), Optional.empty(),
          Optional.empty(), 50);
      RunFilter failed = new RunFilter(Optional.of("tenant-3"), Optional.of("production"), List.of("failed"),
          Optional.empty(), Optional.empty(), 50);
      String pageSql = new SelectRuns(db).sql(page);
      String failedSql = new SelectRuns(db).sql(failed);
      String byIdSql = new SelectRunById(db).sql(runId, Optional.empty(), Optional.empty());
      String traceSql = new SelectTraceSpans(db).sql(Rows.text(run, "tenant"), Rows.text(run, "trace_id"), 10_000);
      // Reads through the key, as the read model of the next issue does: what a column's codec costs per lookup.
      String byKeySql = "SELECT " + RunJson.COLUMNS + " FROM " + db + ".runs FINAL WHERE trace_id = "
          + ClickHouseSql.literal(Rows.text(run, "trace_id"));
      long startedSeconds = Rows.longValue(run, "started_unix_nano") / 1_000_000_000L;
      String dayTraceSql = traceSql.replace(" ORDER BY", " AND start_time >= toDateTime(" + (startedSeconds - 3600)
          + ") AND start_time < toDateTime(" + (startedSeconds + 3600) + ") ORDER BY");
      String line = String.format("%-8s %-20s %7.1f %7.1f %7.1f %-11s %-11s %-11s %-11s %-11s %-11s %9s",
          v.engine().label(), v.name(), loadSeconds, (double) bytes.get("spans")[1] / bytes.get("spans")[0],
          (double) bytes.get("runs")[1] / RUNS, times(() -> ch.query(pageSql)), times(() -> ch.query(failedSql)),
          times(() -> ch.query(byIdSql)), times(() -> ch.query(traceSql)), times(() -> ch.query(byKeySql)),
          times(() -> ch.query(dayTraceSql)), rowsRead(ch, byIdSql));
      System.out.println(line);
      System.out.println("  largest columns, bytes per row: " + largestColumns(ch, db, "spans") + " | "
          + largestColumns(ch, db, "runs"));
      ch.dropDatabaseIfExists(db);
      return line;
    }
  }

  private static String largestColumns(ClickHouseDatabase ch, String db, String table) {
    StringBuilder out = new StringBuilder(table).append(':');
    for (JsonNode c : ch.query("SELECT name, data_compressed_bytes / (SELECT sum(rows) FROM system.parts WHERE database = '"
        + db + "' AND table = '" + table + "' AND active) AS b FROM system.columns WHERE database = '" + db
        + "' AND table = '" + table + "' ORDER BY data_compressed_bytes DESC LIMIT 8")) {
      out.append(String.format(" %s %.1f", c.get("name").asText(), c.get("b").asDouble()));
    }
    return out.toString();
  }

  private static String times(Supplier<?> call) {
    call.get();
    double[] ms = new double[CALLS];
    for (int i = 0; i < CALLS; i++) {
      long t = System.nanoTime();
      call.get();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return String.format("%.0f / %.0f", ms[CALLS / 2], ms[(int) Math.ceil(CALLS * 0.99) - 1]);
  }

  private static String rowsRead(ClickHouseDatabase ch, String sql) {
    return String.format("%,d", QueryLog.of(ch, sql).rows());
  }
}
