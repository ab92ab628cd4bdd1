package io.runtrace.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.demo.DashboardFiles.Query;
import io.runtrace.demo.DashboardWorkload.Run;
import io.runtrace.demo.GrafanaMacros.Variable;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.query.auth.ApiKeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Every query of dashboards/run-history.json, its variables' included, expanded as Grafana and
 * the ClickHouse plugin expand it and run on the reader as the read-only {@code reader} user
 * with the provisioned data source's settings, after a known workload went through the real
 * pipeline (OTel SDK, Kafka, the stream processor, the sink, replication to the reader on 18.16).
 * Columns and values are checked against the workload, for "All" and for one environment and
 * function. Once per ClickHouse engine.
 */
@ForEachClickHouseEngine
class RunHistoryDashboardIT {
  // Declares the engine argument, which only the per-engine set-up uses.
  @Parameter ClickHouseEngine engine;
  static final JsonNode DASHBOARD = DashboardFiles.json("run-history.json");
  static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();
  static LocalPipeline pipeline;
  static DashboardReader reader;
  static DashboardWorkload workload;
  static Instant from;

  static {
    COLUMNS.put("variable tenant", List.of("tenant"));
    COLUMNS.put("variable environment", List.of("environment"));
    COLUMNS.put("variable function", List.of("function"));
    COLUMNS.put("panel \"Runs by status\"", List.of("time", "status", "runs"));
    COLUMNS.put("panel \"Stale runs\"", List.of("stale_runs"));
    COLUMNS.put("panel \"Failure rate per function\"", List.of("function", "total", "ended", "failed", "failure_rate"));
    COLUMNS.put("panel \"Duration p50 / p95 / p99 per function\"", List.of("function", "p50_ms", "p95_ms", "p99_ms"));
    COLUMNS.put("panel \"Top errors\"", List.of("error", "runs", "functions", "last_seen"));
    COLUMNS.put("panel \"Stale runs (newest first)\"",
        List.of("created", "run_id", "function", "environment", "status", "last_span", "trace_id"));
    COLUMNS.put("panel \"Recent failed runs\"", List.of("created", "run_id", "function", "environment", "status",
        "error", "attempts", "duration_ms", "trace_id"));
  }

  @BeforeParameterizedClassInvocation
  static void start(ClickHouseEngine engine, LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Path keys = Files.createTempDirectory("dash-keys").resolve("api-keys.json");
    ApiKeyFiles.create(keys, "acme", List.of(), Clock.systemUTC());
    pipeline = new LocalPipeline(stack, stack.clickHouse(engine), "dash_" + suffix,
        LocalPipeline.Topics.withSuffix("." + suffix), 0, 0, Files.createTempDirectory("dash-streams"), keys);
    reader = new DashboardReader(pipeline.clickHouse.readerUrl(), pipeline.reader.database(),
        DashboardFiles.yaml("provisioning/datasources/runtrace.yaml"));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    from = now.minus(Duration.ofHours(1));
    workload = new DashboardWorkload().send(pipeline, now);
    awaitPipeline();
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    if (pipeline != null) pipeline.close();
  }

  @Test
  void everyQueryInTheFileRunsAsTheReaderAndReturnsItsColumns() {
    List<Query> queries = DashboardFiles.queries(DASHBOARD);
    assertThat(queries).extracting(Query::where).containsExactlyInAnyOrderElementsOf(COLUMNS.keySet());
    for (Map<String, Variable> selection : List.of(all(), productionChargeCard())) {
      for (Query q : queries) {
        assertThat(run(q, selection).columns()).as(q.where()).isEqualTo(COLUMNS.get(q.where()));
      }
    }
  }

  @Test
  void variablesListTheTenantAndItsEnvironmentsAndFunctions() {
    assertThat(options("tenant", Map.of())).containsExactly(workload.tenant);
    Map<String, Variable> tenant = Map.of("tenant", Variable.single(workload.tenant));
    assertThat(options("environment", tenant)).containsExactly("production", "staging");
    Map<String, Variable> allEnvironments = new LinkedHashMap<>(tenant);
    allEnvironments.put("environment", Variable.all(List.of("production", "staging")));
    assertThat(options("function", allEnvironments)).containsExactly("charge-card", "send-email");
    Map<String, Variable> staging = new LinkedHashMap<>(tenant);
    staging.put("environment", Variable.of(List.of("production", "staging"), List.of("staging")));
    assertThat(options("function", staging)).containsExactly("charge-card", "send-email");
  }

  @Test
  void runsByStatusCountEveryRunOnceInHourBuckets() {
    for (Selection s : selections()) {
      DashboardReader.Result r = run(DashboardFiles.panel(DASHBOARD, "Runs by status"), s.variables);
      Map<String, Long> byStatus = new TreeMap<>();
      for (JsonNode row : r.rows()) {
        assertThat(row.get("time").asText()).as("an hour bucket").endsWith(":00:00");
        byStatus.merge(row.get("status").asText(), row.get("runs").asLong(), Long::sum);
      }
      assertThat(byStatus).as(s.name).isEqualTo(new TreeMap<>(runs(s).stream()
          .collect(Collectors.groupingBy(Run::status, Collectors.counting()))));
    }
  }

  @Test
  void failureRateIsFailedAndTimedOutOverEndedRunsPerFunction() {
    for (Selection s : selections()) {
      DashboardReader.Result r = run(DashboardFiles.panel(DASHBOARD, "Failure rate per function"), s.variables);
      Map<String, List<Run>> byFunction = runs(s).stream().collect(Collectors.groupingBy(Run::function, TreeMap::new,
          Collectors.toList()));
      assertThat(r.rows()).as(s.name).hasSize(byFunction.size());
      for (JsonNode row : r.rows()) {
        List<Run> fn = byFunction.get(row.get("function").asText());
        long ended = fn.stream().filter(Run::ended).count();
        long failed = fn.stream().filter(Run::failed).count();
        assertThat(row.get("total").asLong()).as(s.name).isEqualTo(fn.size());
        assertThat(row.get("ended").asLong()).isEqualTo(ended);
        assertThat(row.get("failed").asLong()).isEqualTo(failed);
        assertThat(row.get("failure_rate").asDouble()).isCloseTo((double) failed / ended, within(1e-9));
      }
    }
    // charge-card: 4 of 10 failed; send-email: 2 of 6 ended (one timed out), the silent run not ended.
    DashboardReader.Result all = run(DashboardFiles.panel(DASHBOARD, "Failure rate per function"), all());
    assertThat(all.rows()).extracting(row -> row.get("function").asText()).containsExactly("charge-card", "send-email");
    assertThat(all.rows().get(1).get("failure_rate").asDouble()).isCloseTo(2.0 / 6, within(1e-9));
  }

  @Test
  void durationQuantilesAreThoseOfTheRunsThatEnded() {
    for (Selection s : selections()) {
      DashboardReader.Result r = run(DashboardFiles.panel(DASHBOARD, "Duration p50 / p95 / p99 per function"),
          s.variables);
      Map<String, Long> durations = runs(s).stream().filter(Run::ended)
          .collect(Collectors.toMap(Run::function, Run::durationMs, (a, b) -> a, TreeMap::new));
      assertThat(r.rows()).extracting(row -> row.get("function").asText()).as(s.name)
          .containsExactlyElementsOf(durations.keySet());
      for (JsonNode row : r.rows()) {
        long expected = durations.get(row.get("function").asText());
        for (String q : List.of("p50_ms", "p95_ms", "p99_ms")) {
          assertThat(row.get(q).asDouble()).as(s.name + " " + q).isCloseTo(expected, within(0.5));
        }
      }
    }
  }

  @Test
  void staleRunsShowTheRunThatWentSilent() {
    for (Selection s : selections()) {
      List<Run> stale = runs(s).stream().filter(Run::stale).toList();
      DashboardReader.Result count = run(DashboardFiles.panel(DASHBOARD, "Stale runs"), s.variables);
      assertThat(count.rows()).hasSize(1);
      assertThat(count.rows().get(0).get("stale_runs").asLong()).as(s.name).isEqualTo(stale.size());
      DashboardReader.Result table = run(DashboardFiles.panel(DASHBOARD, "Stale runs (newest first)"), s.variables);
      assertThat(table.rows()).extracting(row -> row.get("run_id").asText() + " " + row.get("trace_id").asText()
          + " " + row.get("status").asText()).as(s.name)
          .containsExactlyElementsOf(stale.stream().map(x -> x.runId() + " " + x.traceId() + " running").toList());
    }
    assertThat(workload.runs.stream().filter(Run::stale)).as("the workload has a stale run").hasSize(1);
  }

  @Test
  void topErrorsCountEachErrorOfFailedAndTimedOutRuns() {
    for (Selection s : selections()) {
      DashboardReader.Result r = run(DashboardFiles.panel(DASHBOARD, "Top errors"), s.variables);
      Map<String, Long> errors = runs(s).stream().filter(Run::failed)
          .collect(Collectors.groupingBy(Run::error, Collectors.counting()));
      List<String> expected = errors.entrySet().stream()
          .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
              .thenComparing(Map.Entry::getKey))
          .map(e -> e.getKey() + " x" + e.getValue()).toList();
      assertThat(r.rows()).extracting(row -> row.get("error").asText() + " x" + row.get("runs").asLong()).as(s.name)
          .containsExactlyElementsOf(expected);
    }
    DashboardReader.Result all = run(DashboardFiles.panel(DASHBOARD, "Top errors"), all());
    assertThat(all.rows().get(0).get("error").asText()).isEqualTo("card declined");
    assertThat(all.rows().get(0).get("runs").asLong()).isEqualTo(3);
    assertThat(all.rows().get(0).get("functions").asLong()).isEqualTo(1);
  }

  @Test
  void recentFailedRunsListEachFailedRunNewestFirstWithItsTraceId() {
    for (Selection s : selections()) {
      DashboardReader.Result r = run(DashboardFiles.panel(DASHBOARD, "Recent failed runs"), s.variables);
      List<Run> failed = runs(s).stream().filter(Run::failed)
          .sorted(Comparator.comparing(Run::created).reversed()).toList();
      assertThat(r.rows()).extracting(row -> row.get("run_id").asText() + " " + row.get("trace_id").asText() + " "
          + row.get("function").asText() + " " + row.get("environment").asText() + " " + row.get("status").asText()
          + " " + row.get("error").asText()).as(s.name)
          .containsExactlyElementsOf(failed.stream().map(x -> x.runId() + " " + x.traceId() + " " + x.function() + " "
              + x.environment() + " " + x.status() + " " + x.error()).toList());
      for (int i = 0; i < failed.size(); i++) {
        assertThat(r.rows().get(i).get("duration_ms").asDouble()).isCloseTo(failed.get(i).durationMs(), within(0.001));
        assertThat(r.rows().get(i).get("attempts").asLong()).isEqualTo(1);
      }
    }
    assertThat(run(DashboardFiles.panel(DASHBOARD, "Recent failed runs"), all()).rows()).hasSize(6);
  }

  /** A variable selection and the runs it must show. */
  record Selection(String name, Map<String, Variable> variables, Predicate<Run> shows) {}

  private static List<Selection> selections() {
    return List.of(new Selection("All", all(), r -> true),
        new Selection("production, charge-card", productionChargeCard(),
            r -> r.environment().equals("production") && r.function().equals("charge-card")));
  }

  private static List<Run> runs(Selection s) {
    return workload.runs.stream().filter(s.shows).toList();
  }

  /** The tenant, and All for environment and function, with the options their own queries list. */
  private static Map<String, Variable> all() {
    Map<String, Variable> v = new LinkedHashMap<>();
    v.put("tenant", Variable.single(workload.tenant));
    v.put("environment", Variable.all(options("environment", v)));
    v.put("function", Variable.all(options("function", v)));
    return v;
  }

  private static Map<String, Variable> productionChargeCard() {
    Map<String, Variable> v = new LinkedHashMap<>();
    v.put("tenant", Variable.single(workload.tenant));
    v.put("environment", Variable.of(options("environment", v), List.of("production")));
    v.put("function", Variable.of(options("function", v), List.of("charge-card")));
    return v;
  }

  private static List<String> options(String variable, Map<String, Variable> selection) {
    List<String> values = new ArrayList<>();
    run(DashboardFiles.variable(DASHBOARD, variable), selection).rows().forEach(r -> values.add(r.get(variable).asText()));
    return values;
  }

  private static DashboardReader.Result run(Query q, Map<String, Variable> selection) {
    // Grafana's interval for a one-hour range in a panel is seconds; the panel's min interval wins.
    Duration interval = q.minInterval().compareTo(Duration.ofSeconds(10)) > 0 ? q.minInterval() : Duration.ofSeconds(10);
    String sql = GrafanaMacros.expand(q.rawSql(), selection, from, Instant.now().truncatedTo(ChronoUnit.SECONDS),
        interval);
    return reader.query(q.where(), sql);
  }

  /** Until every run is on the reader in its final state (the silent one stale) and run_stats counts them all. */
  private static void awaitPipeline() throws InterruptedException {
    String tenant = ClickHouseSql.literal(workload.tenant);
    Map<String, String> expected = new TreeMap<>();
    workload.runs.forEach(r -> expected.put(r.runId(), r.status() + " " + (r.stale() ? 1 : 0) + " " + r.error()));
    Map<String, Long> expectedStats = new TreeMap<>(workload.runs.stream()
        .collect(Collectors.groupingBy(Run::status, Collectors.counting())));
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      Map<String, String> seen = new TreeMap<>();
      pipeline.reader.query("SELECT run_id, status, stale, error FROM run_list FINAL WHERE tenant = " + tenant
          + " AND deleted = 0").forEach(r -> seen.put(r.get("run_id").asText(),
              r.get("status").asText() + " " + r.get("stale").asInt() + " " + r.get("error").asText()));
      Map<String, Long> stats = new TreeMap<>();
      pipeline.reader.query("SELECT status, toUInt64(sum(runs)) AS n FROM run_stats FINAL WHERE tenant = " + tenant
          + " GROUP BY status HAVING n > 0").forEach(r -> stats.put(r.get("status").asText(), r.get("n").asLong()));
      if (seen.equals(expected) && stats.equals(expectedStats)) return;
      last = "run_list " + seen + ", run_stats " + stats;
      Thread.sleep(500);
    }
    throw new AssertionError("the workload did not reach the reader in 4 minutes; expected runs " + expected
        + " and stats " + expectedStats + ", last seen " + last);
  }
}
