package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseDialect.Feature;
import io.runtrace.query.auth.Caller;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.schema.SchemaMigrator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
      System.out.println(String.format("%-8s %-20s %7s %7s %7s %-11s %-11s %-11s %-11s %9s", "engine",
          "schema", "load s", "B/span", "B/run", "page", "failed", "by id", "trace", "rows/id"));
      rows.forEach(System.out::println);
      System.out.println("(ms, p50 / p99 of " + CALLS + " calls of the SQL query-api sends: one tenant's newest 50"
          + " runs of the default window, the same for status failed, a run by id (its keys, then the run), its spans."
          + " B/run: run_list and run_ids. rows/id: rows the by-id lookup read, from system.query_log)");
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
      for (String table : List.of("run_list", "run_ids")) ch.execute("OPTIMIZE TABLE " + db + "." + table + " FINAL");
      ch.execute("OPTIMIZE TABLE " + db + ".spans FINAL");
      double loadSeconds = (System.nanoTime() - begin) / 1e9;
      Map<String, long[]> bytes = new LinkedHashMap<>();
      for (JsonNode r : ch.query("SELECT table, sum(rows) AS n, sum(bytes_on_disk) AS b FROM system.parts"
          + " WHERE database = '" + db + "' AND active GROUP BY table")) {
        bytes.put(r.get("table").asText(), new long[] {Rows.longValue(r, "n"), Rows.longValue(r, "b")});
      }
      Clock clock = Clock.fixed(Instant.ofEpochSecond(RunHistoryLoad.END_NANOS / 1_000_000_000L), ZoneOffset.UTC);
      RunFilter.RunListSettings settings = RunHistoryApi.listSettings(50, 1000, Duration.ofDays(7), Duration.ofDays(31));
      RunFilter page = RunFilter.parse("tenant=tenant-3&environment=production", settings, clock, Caller.ofTenant("tenant-3", List.of()));
      RunFilter failed = RunFilter.parse("tenant=tenant-3&environment=production&status=failed", settings, clock,
          Caller.ofTenant("tenant-3", List.of()));
      RunPager pager = new RunPager(new SelectRunPage(db));
      SelectRunById byId = new SelectRunById(db);
      JsonNode key = ch.query(RunHistoryLoad.runKeySql(RUNS / 2)).get(0);
      String keysSql = byId.keys(Rows.text(key, "run_id"), Optional.of(Rows.text(key, "tenant")),
          List.of(Rows.text(key, "environment")));
      JsonNode k = ch.query(keysSql).get(0);
      String runSql = byId.run(Rows.text(k, "tenant"), Rows.text(k, "environment"), Rows.longValue(k, "created_unix_nano"),
          Rows.text(k, "trace_id"));
      JsonNode run = ch.query(runSql).get(0);
      String traceSql = new SelectTraceSpans(db).sql(Rows.text(run, "tenant"), Rows.text(run, "trace_id"),
          RunJson.firstSpanNanos(run), RunJson.lastSpanNanos(run), 10_000);
      long runBytes = bytes.get("run_list")[1] + bytes.get("run_ids")[1];
      String line = String.format("%-8s %-20s %7.1f %7.1f %7.1f %-11s %-11s %-11s %-11s %9s",
          v.engine().label(), v.name(), loadSeconds, (double) bytes.get("spans")[1] / bytes.get("spans")[0],
          (double) runBytes / RUNS, times(() -> pager.page(page, ch::query)), times(() -> pager.page(failed, ch::query)),
          times(() -> {
            ch.query(keysSql);
            return ch.query(runSql);
          }), times(() -> ch.query(traceSql)), rowsRead(ch, keysSql) + rowsRead(ch, runSql));
      System.out.println(line);
      System.out.println("  largest columns, bytes per row: " + largestColumns(ch, db, "spans") + " | "
          + largestColumns(ch, db, "run_list"));
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

  private static long rowsRead(ClickHouseDatabase ch, String sql) {
    return QueryLog.of(ch, sql).rows();
  }
}
