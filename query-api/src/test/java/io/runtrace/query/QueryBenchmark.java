package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.query.auth.ApiKeyFiles;
import io.runtrace.query.auth.Caller;
import io.runtrace.query.auth.TenantLimits;
import io.runtrace.schema.SchemaMigrator;
import io.runtrace.stream.BenchLoad;
import io.runtrace.stream.StreamProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The run-history API at scale ({@code bin/bench-query}): for each engine and size, generates the
 * runs inside ClickHouse ({@link RunHistoryLoad}), starts the stream processor with a live load of
 * {@value #DEFAULT_RATE} spans/s on the same database, and the API on the reader; then times each
 * call over HTTP with {@code bench.clients} concurrent clients, the same SQL alone on the reader,
 * and the rows it read (from {@code system.query_log}), and the live runs' freshness meanwhile.
 * Prints one SUMMARY line per engine and size. Asserts nothing. Every call carries the API key of
 * its tenant. With {@code -Dbench.fairness=true} it measures fair share instead
 * ({@link FairnessPhase}): one tenant's p99 alone and while another tenant floods the API.
 */
public final class QueryBenchmark {
  static final int DEFAULT_RATE = 10_000;
  static final int CALLS = Integer.getInteger("bench.calls", 200);
  static final int CLIENTS = Integer.getInteger("bench.clients", 16);
  static final boolean FAIRNESS = Boolean.getBoolean("bench.fairness");
  /** The live load; none by default in the fairness phase, whose figures it would only blur. */
  static final int RATE = Integer.getInteger("bench.rate", FAIRNESS ? 0 : DEFAULT_RATE);
  /** Tenants of {@link RunHistoryLoad}; each gets an API key. */
  static final int LOAD_TENANTS = 50;
  /** The API key of each tenant, by tenant. */
  static final java.util.Map<String, String> KEYS = new java.util.concurrent.ConcurrentHashMap<>();
  /** Targets spread calls over this many tenants and runs, so no call is a cache hit of the one before. */
  static final int TARGETS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(CLIENTS, r -> {
    Thread t = new Thread(r, "bench-http");
    t.setDaemon(true); // else the JVM outlives main
    return t;
  })).build();

  private QueryBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<ClickHouseEngine> engines = new ArrayList<>();
    for (String e : System.getProperty("bench.engines", "18.16,26.7").split(",")) {
      engines.add(ClickHouseEngine.parse(e.trim(), "bench.engines"));
    }
    List<Long> sizes = new ArrayList<>();
    for (String s : System.getProperty("bench.sizes", FAIRNESS ? "200000" : "1000000,10000000,30000000").split(",")) {
      sizes.add(Long.parseLong(s.trim()));
    }
    Path work = Path.of(System.getProperty("user.dir"), "target", "bench-query-stack");
    Path keyFile = Files.createTempDirectory("bench-query-keys").resolve("api-keys.json");
    ApiKeyFiles.reset(keyFile);
    for (int i = 0; i < LOAD_TENANTS; i++) {
      KEYS.put("tenant-" + i, ApiKeyFiles.create(keyFile, "tenant-" + i, List.of(), Clock.systemUTC()).key());
    }
    List<String> summaries = new ArrayList<>();
    try (LocalStack stack = LocalStack.builder().workDir(work).clickHouseEngines(engines.toArray(ClickHouseEngine[]::new))
        .build().start()) {
      System.out.printf("%d cores, %s, java %s; %d calls per figure, %d concurrent clients, live load %,d spans/s%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"),
          CALLS, CLIENTS, RATE);
      for (ClickHouseEngine engine : engines) {
        for (long size : sizes) {
          String summary = new Run(stack, engine, size, keyFile).measure();
          System.out.println(summary);
          summaries.add(summary);
        }
      }
    }
    System.out.println();
    summaries.forEach(System.out::println);
  }

  /** One engine and size: its own database, topics, processor and API. */
  private static final class Run {
    final LocalStack stack;
    final ClickHouseEngine engine;
    final ClickHouseDeployment ch;
    final long size;
    final Path keyFile;
    final String db;
    final ClickHouseDatabase writer;
    final ClickHouseDatabase reader;
    final long endNanos = System.currentTimeMillis() / 1000 * 1_000_000_000L;
    final Clock clock = Clock.systemUTC();
    final List<Double> freshness = Collections.synchronizedList(new ArrayList<>());

    Run(LocalStack stack, ClickHouseEngine engine, long size, Path keyFile) {
      this.stack = stack;
      this.keyFile = keyFile;
      this.engine = engine;
      this.ch = stack.clickHouse(engine);
      this.size = size;
      this.db = "bq_" + size + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
      this.writer = ClickHouseDatabase.builder().url(ch.writerUrl()).database(db).socketTimeout(Duration.ofMinutes(60))
          .maxExecutionTime(Duration.ofMinutes(50)).build();
      this.reader = ClickHouseDatabase.builder().url(ch.readerUrl()).database(db).build();
    }

    String measure() throws Exception {
      String spans = "runtrace.spans." + db;
      SchemaMigrator.Builder migrator = SchemaMigrator.builder().clickHouse(writer).database(db)
          .replicated(ch.replicated());
      if (ch.replicated()) migrator.clickHouse(reader);
      migrator.kafkaBootstrapServers(stack.kafkaBootstrapServers())
          .topics(spans, "runtrace.spans.enriched." + db, "runtrace.runs." + db, "runtrace.dead-letter." + db)
          .partitions(6).retentionBytesPerPartition(256L << 20).build().migrate();
      System.out.printf("%n== ClickHouse %s, %,d runs (database %s)%n", engine.label(), size, db);
      long t = System.nanoTime();
      RunHistoryLoad.load(writer, size, endNanos);
      long spanRows = count(writer, "spans");
      System.out.printf("loaded %,d runs and %,d spans in %.0f s, generated inside ClickHouse by INSERT ... SELECT%n",
          size, spanRows, secs(t));
      if (ch.replicated()) {
        t = System.nanoTime();
        await(() -> count(reader, "spans") >= spanRows && count(reader, "run_ids") >= size, Duration.ofMinutes(60));
        System.out.printf("replicated to the reader in %.0f s%n", secs(t));
      }
      Path state = Files.createTempDirectory("bench-query-state");
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      t = System.nanoTime();
      try (StreamProcessor processor = StreamProcessor.builder().bootstrapServers(stack.kafkaBootstrapServers())
          .clickHouseWriter(writer).applicationId("bench-query-" + db).stateDir(state)
          .topics(spans, "runtrace.spans.enriched." + db, "runtrace.runs." + db, "runtrace.dead-letter." + db)
          .spansRetention(Duration.ofDays(60), Long.MAX_VALUE).runsRetention(Duration.ofDays(60), Long.MAX_VALUE)
          .meterRegistry(registry).build().start()) {
        // The refresher's start-up catch-up fills the rollup for every loaded hour.
        await(() -> meter(registry, "runtrace.stats.refreshed.hours") >= 30 * 24
            && meter(registry, "runtrace.stats.dirty.hours") == 0, Duration.ofMinutes(30));
        System.out.printf("stream processor running and run_stats caught up (%,.0f hours) in %.0f s%n",
            meter(registry, "runtrace.stats.refreshed.hours"), secs(t));
        RunHistoryServiceBuilder service = RunHistoryService.builder().reader(reader).host("127.0.0.1").port(0)
            .apiKeyFile(keyFile);
        // The latency figures are of the queries, not of fair share: no tenant is throttled there.
        if (!FAIRNESS) service.tenantMaxInFlight(CLIENTS).tenantRatePerSecond(100_000).tenantBurst(100_000);
        try (RunHistoryService api = service.build().start();
            BenchLoad load = new BenchLoad(stack.kafkaBootstrapServers(), spans)) {
          if (RATE > 0) load.startSteady(RATE);
          AtomicBoolean polling = new AtomicBoolean(true);
          Thread poll = new Thread(() -> pollFreshness(load, polling), "freshness");
          poll.start();
          String summary;
          try {
            summary = FAIRNESS ? FairnessPhase.measureAll(engine, reader, keyFile, writer, size) : calls(api, load);
          } finally {
            polling.set(false);
            poll.join();
            if (RATE > 0) load.stopSteady();
          }
          return summary;
        }
      } finally {
        writer.dropDatabaseIfExists(db);
        if (ch.replicated()) reader.dropDatabaseIfExists(db);
        writer.close();
        reader.close();
      }
    }

    private String calls(RunHistoryService api, BenchLoad load) throws Exception {
      String base = "http://127.0.0.1:" + api.port();
      List<String> tenants = new ArrayList<>();
      for (int i = 0; i < TARGETS; i++) tenants.add("tenant=tenant-" + i + "&environment=production");
      List<String> firstPages = new ArrayList<>();
      List<String> page20 = new ArrayList<>();
      List<String> byId = new ArrayList<>();
      List<String> traces = new ArrayList<>();
      List<String> stats24h = new ArrayList<>();
      List<String> stats7d = new ArrayList<>();
      String weekAgo = Rows.iso(Instant.ofEpochSecond(endNanos / 1_000_000_000L - 7 * 86_400));
      for (String tenant : tenants) {
        firstPages.add("/v1/runs?" + tenant);
        String cursor = "";
        // Page 20, or the last page of a small load.
        for (int page = 1; page < 20; page++) {
          JsonNode next = get(base + "/v1/runs?" + tenant + (cursor.isEmpty() ? "" : "&cursor=" + cursor)).get("next_cursor");
          if (next.isNull()) break;
          cursor = next.asText();
        }
        page20.add("/v1/runs?" + tenant + (cursor.isEmpty() ? "" : "&cursor=" + cursor));
        stats24h.add("/v1/stats?" + tenant);
        stats7d.add("/v1/stats?" + tenant + "&from=" + weekAgo);
      }
      for (int i = 0; i < TARGETS; i++) {
        JsonNode run = writer.query(RunHistoryLoad.runKeySql(size / TARGETS * i + 1)).get(0);
        byId.add("/v1/runs/" + Rows.text(run, "run_id") + "?tenant=" + Rows.text(run, "tenant") + "&environment="
            + Rows.text(run, "environment"));
        JsonNode wide = writer.query(RunHistoryLoad.runKeySql((size / TARGETS / RunHistoryLoad.WIDE_EVERY) * i
            * RunHistoryLoad.WIDE_EVERY + 7)).get(0);
        traces.add("/v1/runs/" + Rows.text(wide, "run_id") + "/trace?tenant=" + Rows.text(wide, "tenant")
            + "&environment=" + Rows.text(wide, "environment"));
      }
      int spans = get(base + traces.get(0)).get("span_count").asInt();
      System.out.printf("targets: tenant-0..%d production (the busiest; tenant-0 has ~%.0f%% of all runs);"
          + " trace of a run with %d spans%n", TARGETS - 1, 100 * Math.sqrt(1.0 / 50), spans);

      int freshBefore = freshness.size();
      List<Figure> figures = new ArrayList<>();
      figures.add(figure("list, first page", base, firstPages, (api2, c, q) -> api2.listRuns(c, query(q))));
      figures.add(figure("list, page 20", base, page20, (api2, c, q) -> api2.listRuns(c, query(q))));
      figures.add(figure("run by id", base, byId, (api2, c, q) -> api2.getRun(c, segment(q, 3), query(q))));
      figures.add(figure("trace", base, traces, (api2, c, q) -> api2.getTrace(c, segment(q, 3), query(q))));
      figures.add(figure("stats 24 h", base, stats24h, (api2, c, q) -> api2.stats(c, query(q))));
      figures.add(figure("stats 7 d", base, stats7d, (api2, c, q) -> api2.stats(c, query(q))));
      List<Double> fresh = new ArrayList<>(freshness.subList(freshBefore, freshness.size()));
      Collections.sort(fresh);

      System.out.printf("%-18s %15s %15s %15s %8s %12s%n", "call", "1 client", CLIENTS + " clients", "SQL alone",
          "p99 x", "rows read");
      for (Figure f : figures) {
        System.out.printf("%-18s %15s %15s %15s %8.1f %,12d%n", f.name, ms(f.one), ms(f.api), ms(f.alone),
            f.api[1] / f.alone[1], f.rows);
      }
      System.out.printf("(ms, p50 / p99 of %d calls each. 1 client, %d clients: over HTTP; SQL alone: the statements"
          + " the API sends for the call, on the reader, one client; p99 x: %d clients / SQL alone; rows read: one"
          + " call's statements summed, from system.query_log)%n", CALLS, CLIENTS, CLIENTS);
      System.out.printf("freshness while the queries ran: %d probes, p50 %.0f ms, p99 %.0f ms (produce -> listed in"
          + " run_list on the reader); %,d spans sent, %d records failed%n", fresh.size(), pct(fresh, 0.5),
          pct(fresh, 0.99), load.spansSent.get(), load.sendFailures.get());
      return String.format("SUMMARY engine=%s runs=%d list_p99_ms=%.1f cursor_p99_ms=%.1f by_id_p99_ms=%.1f"
          + " trace_p99_ms=%.1f stats24h_p99_ms=%.1f stats7d_p99_ms=%.1f rows_per_page=%d freshness_p99_ms=%.0f",
          engine.label(), size, figures.get(0).api[1], figures.get(1).api[1], figures.get(2).api[1],
          figures.get(3).api[1], figures.get(4).api[1], figures.get(5).api[1],
          Math.max(figures.get(0).rows, figures.get(1).rows), pct(fresh, 0.99));
    }

    /** Milliseconds, p50 and p99: over HTTP with one client and with {@link #CLIENTS}, and the SQL alone. */
    record Figure(String name, double[] one, double[] api, double[] alone, long rows) {}

    interface ApiCall {
      Object call(RunHistoryApi api, Caller caller, String pathAndQuery);
    }

    /** One call: its p50/p99 over HTTP under load, the SQL it sends alone, and the rows it reads. */
    private Figure figure(String name, String base, List<String> targets, ApiCall call) throws Exception {
      for (String target : targets) get(base + target); // warm-up
      double[] one = concurrently(CALLS, 1, i -> get(base + targets.get(i % targets.size())));
      double[] api = concurrently(CALLS, CLIENTS, i -> get(base + targets.get(i % targets.size())));
      List<List<String>> sql = new ArrayList<>();
      for (String target : targets) sql.add(recordSql(target, call));
      double[] alone = concurrently(CALLS, 1, i -> sql.get(i % sql.size()).forEach(reader::query));
      long rows = 0;
      for (String s : sql.get(0)) rows += QueryLog.of(reader, s).rows();
      return new Figure(name, one, api, alone, rows);
    }

    /** The statements the API sends for one call, read through a replica that records them. */
    private List<String> recordSql(String pathAndQuery, ApiCall call) {
      List<String> sql = new ArrayList<>();
      ReadReplica recording = new RecordingReplica(reader.database(), reader::query, reader::ping, sql);
      RunHistoryApi api = new RunHistoryApi(recording, clock, new QueryMetrics(new SimpleMeterRegistry()),
          RunHistoryApi.listSettings(RunHistoryServiceBuilder.DEFAULT_PAGE_SIZE,
              RunHistoryServiceBuilder.DEFAULT_MAX_PAGE_SIZE, RunHistoryServiceBuilder.DEFAULT_WINDOW,
              RunHistoryServiceBuilder.DEFAULT_MAX_WINDOW), RunHistoryServiceBuilder.DEFAULT_MAX_SPANS_PER_TRACE);
      call.call(api, Caller.ofTenant(tenantOf(pathAndQuery), List.of()), pathAndQuery);
      return sql;
    }

    /** Probes of the live load that reached run_list on the reader: milliseconds from send. */
    private void pollFreshness(BenchLoad load, AtomicBoolean polling) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      while (polling.get()) {
        try {
          long since = System.currentTimeMillis() / 1000 - 600;
          for (JsonNode row : reader.query("SELECT trace_id FROM " + db + ".run_list WHERE tenant = 'acme'"
              + " AND environment = 'prod' AND created_time >= toDateTime(" + since + ")"
              + " AND created_unix_nano >= " + since * 1_000_000_000L + " AND trace_id >= 'ffff'"
              + " AND span_count = " + BenchLoad.SPANS_PER_RECORD)) {
            String trace = row.get("trace_id").asText();
            Long sent = load.probes.get(trace);
            if (sent != null && seen.add(trace)) freshness.add((System.nanoTime() - sent) / 1e6);
          }
        } catch (RuntimeException e) {
          System.out.println("freshness poll failed: " + e.getMessage());
        }
        sleep(50);
      }
    }
  }

  /** p50 and p99 in ms of {@code calls} calls spread over {@code clients} threads. */
  private static double[] concurrently(int calls, int clients, Consumer<Integer> call) throws Exception {
    double[] ms = new double[calls];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < calls; ) {
            long t = System.nanoTime();
            call.accept(i);
            ms[i] = (System.nanoTime() - t) / 1e6;
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
    Arrays.sort(ms);
    return new double[] {ms[calls / 2], ms[(int) Math.ceil(calls * 0.99) - 1]};
  }

  static JsonNode get(String url) {
    try {
      HttpResponse<String> r = send(url);
      if (r.statusCode() != 200) throw new IllegalStateException("GET " + url + ": " + r.statusCode() + " " + r.body());
      return JSON.readTree(r.body());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET with the API key of the URL's {@code tenant}. */
  static HttpResponse<String> send(String url) throws java.io.IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEYS.get(tenantOf(url))).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the {@code tenant} parameter. */
  static String tenantOf(String url) {
    int at = url.indexOf("tenant=");
    if (at < 0) throw new IllegalArgumentException("no tenant in " + url);
    int end = url.indexOf('&', at);
    return url.substring(at + "tenant=".length(), end < 0 ? url.length() : end);
  }

  private static String query(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? null : pathAndQuery.substring(q + 1);
  }

  /** The {@code n}th path segment, 1-based: {@code /v1/runs/<id>} has the id at 3. */
  private static String segment(String pathAndQuery, int n) {
    int q = pathAndQuery.indexOf('?');
    return (q < 0 ? pathAndQuery : pathAndQuery.substring(0, q)).split("/")[n];
  }

  /** A counter's count or a gauge's value; -1 before it is registered. */
  private static double meter(SimpleMeterRegistry registry, String name) {
    var m = registry.find(name).meter();
    if (m == null) return -1;
    for (var measurement : m.measure()) return measurement.getValue();
    return -1;
  }

  private static long count(ClickHouseDatabase db, String table) {
    return Rows.longValue(db.query("SELECT count() AS n FROM " + db.database() + "." + table).get(0), "n");
  }

  private static void await(java.util.function.BooleanSupplier done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("not done after " + timeout);
      sleep(1000);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String ms(double[] p50p99) {
    return String.format("%.1f / %.1f", p50p99[0], p50p99[1]);
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
