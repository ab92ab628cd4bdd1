package io.runtrace.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.demo.DashboardFiles.Query;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules every query of dashboards/run-history.json keeps, and the provisioning that makes a
 * Grafana show it: checked on the files, without Grafana (RunHistoryDashboardIT runs the queries).
 */
class RunHistoryDashboardTest {
  static final JsonNode DASHBOARD = DashboardFiles.json("run-history.json");
  static final String CLICKHOUSE = "runtrace-clickhouse";

  @Test
  void theDashboardIsTheOneProvisioningNames() {
    assertThat(DASHBOARD.get("uid").asText()).isEqualTo("runtrace-run-history");
    assertThat(DASHBOARD.get("title").asText()).isEqualTo("runtrace — run history");
    assertThat(DASHBOARD.get("schemaVersion").asInt()).isEqualTo(39);
    assertThat(DASHBOARD.path("templating").path("list")).extracting(v -> v.get("name").asText())
        .containsExactly("tenant", "environment", "function");
    assertThat(DASHBOARD.get("panels")).extracting(p -> p.get("title").asText()).containsExactly(
        "Runs by status", "Stale runs", "Failure rate per function", "Duration p50 / p95 / p99 per function",
        "Top errors", "Stale runs (newest first)", "Recent failed runs");
  }

  @Test
  void everyPanelAndVariableReadsTheClickHouseReaderWithTheSqlEditor() {
    for (JsonNode p : DASHBOARD.get("panels")) {
      assertThat(p.path("datasource").path("uid").asText()).as(p.get("title").asText()).isEqualTo(CLICKHOUSE);
      assertThat(p.path("targets")).as(p.get("title").asText()).isNotEmpty();
      for (JsonNode t : p.get("targets")) {
        assertThat(t.path("datasource").path("uid").asText()).isEqualTo(CLICKHOUSE);
        assertThat(t.path("datasource").path("type").asText()).isEqualTo("grafana-clickhouse-datasource");
        assertThat(t.path("editorType").asText()).isEqualTo("sql");
        // sqlds formats: 0 time series, 1 table.
        int expected = "timeseries".equals(p.get("type").asText()) ? 0 : 1;
        assertThat(t.path("format").asInt(-1)).as(p.get("title").asText()).isEqualTo(expected);
        assertThat(t.path("queryType").asText()).isEqualTo(expected == 0 ? "timeseries" : "table");
      }
    }
    for (JsonNode v : DASHBOARD.path("templating").path("list")) {
      assertThat(v.path("datasource").path("uid").asText()).isEqualTo(CLICKHOUSE);
      assertThat(v.path("query").path("editorType").asText()).isEqualTo("sql");
    }
  }

  @Test
  void queriesUseOnlyMacrosBothEnginesRunAndAreKeyedByTenant() {
    List<Query> queries = DashboardFiles.queries(DASHBOARD);
    assertThat(queries).hasSize(10);
    for (Query q : queries) {
      assertThat(GrafanaMacros.macrosIn(q.rawSql())).as(q.where()).isSubsetOf(GrafanaMacros.ALLOWED);
      assertThat(q.rawSql()).as(q.where()).doesNotContain("$__timeInterval", "toStartOfInterval",
          "DateTime64");
      assertThat(q.rawSql()).as(q.where()).contains("tenant");
      for (String[] ref : GrafanaMacros.variablesIn(q.rawSql())) {
        assertThat(ref[0]).as(q.where()).isIn("tenant", "environment", "function");
        assertThat(ref[1]).as(q.where() + ": values quoted and escaped").isEqualTo("sqlstring");
      }
      if (!q.where().equals("variable tenant")) {
        assertThat(q.rawSql()).as(q.where()).contains("WHERE tenant = ${tenant:sqlstring}");
      }
      if (q.rawSql().contains("run_list")) {
        assertThat(q.rawSql()).as(q.where()).contains("FROM run_list FINAL", "deleted = 0",
            "$__timeFilter(created_time)", "created_unix_nano >= toUInt64($__fromTime) * 1000000000",
            "environment IN (${environment:sqlstring})");
        boolean oneAggregateRow = q.rawSql().startsWith("SELECT count() AS") && !q.rawSql().contains("GROUP BY");
        if (!oneAggregateRow) assertThat(q.rawSql()).as(q.where() + ": bounded rows").contains("LIMIT");
      } else {
        assertThat(q.rawSql()).as(q.where()).contains("FROM run_stats FINAL",
            "hour >= toStartOfHour($__fromTime) AND hour <= $__toTime");
      }
    }
  }

  @Test
  void timeSeriesBucketWithIntDivOverAtLeastAnHourOfRollup() {
    Query q = DashboardFiles.panel(DASHBOARD, "Runs by status");
    assertThat(q.rawSql()).contains("toDateTime(intDiv(toUInt32(hour), $__interval_s) * $__interval_s) AS time");
    assertThat(q.minInterval()).as("run_stats is hourly").hasHours(1);
  }

  @Test
  void failedAndStaleRunsLinkTheirTraceIdToTheJaegerDataSourceInExplore() {
    for (String title : List.of("Recent failed runs", "Stale runs (newest first)")) {
      JsonNode panel = panel(title);
      assertThat(DashboardFiles.panel(DASHBOARD, title).rawSql()).contains("trace_id");
      JsonNode link = null;
      for (JsonNode o : panel.path("fieldConfig").path("overrides")) {
        if (!"trace_id".equals(o.path("matcher").path("options").asText())) continue;
        for (JsonNode prop : o.path("properties")) if ("links".equals(prop.path("id").asText())) link = prop.get("value").get(0);
      }
      assertThat(link).as(title + ": a link on trace_id").isNotNull();
      JsonNode internal = link.get("internal");
      assertThat(internal.get("datasourceUid").asText()).isEqualTo("runtrace-jaeger");
      // Grafana's Jaeger query model: the trace id in "query", no queryType (the TraceID mode).
      assertThat(internal.path("query").path("query").asText()).isEqualTo("${__value.raw}");
      assertThat(internal.path("query").has("queryType")).isFalse();
      assertThat(internal.path("query").path("datasource").path("uid").asText()).isEqualTo("runtrace-jaeger");
    }
  }

  @Test
  void provisioningDefinesEveryDataSourceTheDashboardsUse() throws IOException {
    JsonNode datasources = DashboardFiles.yaml("provisioning/datasources/runtrace.yaml");
    assertThat(datasources.get("apiVersion").asInt()).isEqualTo(1);
    Map<String, JsonNode> byUid = new HashMap<>();
    datasources.get("datasources").forEach(d -> byUid.put(d.get("uid").asText(), d));
    assertThat(byUid).containsOnlyKeys("runtrace-clickhouse", "runtrace-prometheus", "runtrace-jaeger");

    JsonNode ch = byUid.get("runtrace-clickhouse");
    assertThat(ch.get("type").asText()).isEqualTo("grafana-clickhouse-datasource");
    JsonNode j = ch.get("jsonData");
    assertThat(j.get("protocol").asText()).isEqualTo("http");
    assertThat(j.get("host").asText()).isEqualTo("127.0.0.1");
    assertThat(j.get("port").asText()).isEqualTo("${RUNTRACE_CLICKHOUSE_READER_PORT}");
    assertThat(j.get("username").asText()).isEqualTo("reader");
    assertThat(j.get("defaultDatabase").asText()).isEqualTo("runtrace");
    assertThat(Integer.parseInt(j.get("queryTimeout").asText())).as("the reader profile's max_execution_time")
        .isBetween(1, 30);
    assertThat(ch.get("secureJsonData").get("password").asText()).isEqualTo("${RUNTRACE_CLICKHOUSE_READER_PASSWORD}");

    assertThat(byUid.get("runtrace-prometheus").get("type").asText()).isEqualTo("prometheus");
    assertThat(byUid.get("runtrace-prometheus").get("url").asText()).isEqualTo("http://127.0.0.1:9090");
    JsonNode jaeger = byUid.get("runtrace-jaeger");
    assertThat(jaeger.get("type").asText()).isEqualTo("jaeger");
    assertThat(jaeger.get("url").asText()).isEqualTo("http://127.0.0.1:8080");
    assertThat(jaeger.get("jsonData").get("httpHeaderName1").asText()).isEqualTo("Authorization");
    assertThat(jaeger.get("secureJsonData").get("httpHeaderValue1").asText()).isEqualTo("Bearer ${RUNTRACE_API_KEY}");

    // Every data source uid any dashboard file names (panels, targets, variables, links) is provisioned.
    Set<String> used = new HashSet<>();
    try (Stream<Path> files = Files.list(DashboardFiles.dir())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        collectUids(DashboardFiles.json(f.getFileName().toString()), used);
      }
    }
    assertThat(used).contains("runtrace-clickhouse", "runtrace-jaeger");
    assertThat(byUid.keySet()).containsAll(used);
  }

  @Test
  void theDashboardProviderLoadsTheFolderGivenByItsVariable() {
    JsonNode providers = DashboardFiles.yaml("provisioning/dashboards/runtrace.yaml");
    JsonNode p = providers.get("providers").get(0);
    assertThat(p.get("type").asText()).isEqualTo("file");
    assertThat(p.get("options").get("path").asText()).isEqualTo("${RUNTRACE_DASHBOARDS_DIR}");
  }

  private static JsonNode panel(String title) {
    for (JsonNode p : DASHBOARD.get("panels")) if (p.get("title").asText().equals(title)) return p;
    throw new AssertionError("no panel " + title);
  }

  private static void collectUids(JsonNode node, Set<String> uids) {
    if (node.isObject()) {
      if (node.has("datasourceUid")) uids.add(node.get("datasourceUid").asText());
      JsonNode ds = node.get("datasource");
      if (ds != null && ds.has("uid") && !ds.get("uid").asText().startsWith("$")) uids.add(ds.get("uid").asText());
      node.forEach(child -> collectUids(child, uids));
    } else if (node.isArray()) {
      node.forEach(child -> collectUids(child, uids));
    }
  }
}
