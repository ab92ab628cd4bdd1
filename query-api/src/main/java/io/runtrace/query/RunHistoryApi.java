package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.query.auth.Caller;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answers of the run-history endpoints, as JSON trees. Every answer carries
 * {@code freshness}: the server's time and the newest {@code updated_at} among the runs it
 * returns (for stats, the rollup's latest refresh), so a caller can tell current data from a
 * lagging replica.
 */
final class RunHistoryApi {
  private static final Set<String> RUN_PARAMETERS = Set.of("tenant", "environment");

  private final ReadReplica reader;
  private final Clock clock;
  private final QueryMetrics metrics;
  private final RunFilter.RunListSettings list;
  private final int maxSpansPerTrace;
  private final RunPager pager;
  private final SelectRunById selectRunById;
  private final SelectTraceSpans selectTraceSpans;
  private final SelectRunStats selectRunStats;

  RunHistoryApi(ReadReplica reader, Clock clock, QueryMetrics metrics, RunFilter.RunListSettings list,
      int maxSpansPerTrace) {
    this.reader = reader;
    this.clock = clock;
    this.metrics = metrics;
    this.list = list;
    this.maxSpansPerTrace = maxSpansPerTrace;
    this.pager = new RunPager(new SelectRunPage(reader.database()));
    this.selectRunById = new SelectRunById(reader.database());
    this.selectTraceSpans = new SelectTraceSpans(reader.database());
    this.selectRunStats = new SelectRunStats(reader.database());
  }

  /** {@code GET /v1/runs}: a page, newest first, with {@code next_cursor} and {@code has_more}. */
  ObjectNode listRuns(Caller caller, String rawQuery) {
    RunFilter filter = RunFilter.parse(rawQuery, list, clock, caller);
    RunPager.Page page = pager.page(filter, sql -> metrics.query("select_run_page", () -> reader.query(sql)));
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    var runs = body.putArray("runs");
    long latest = 0;
    for (JsonNode row : page.runs()) {
      runs.add(RunJson.toJson(row));
      latest = Math.max(latest, RunJson.updatedNanos(row));
    }
    if (page.hasMore()) {
      JsonNode last = page.runs().get(page.runs().size() - 1);
      body.put("next_cursor", new RunCursor(Rows.longValue(last, "created_unix_nano"), Rows.text(last, "trace_id"))
          .encode(filter.identity()));
    } else {
      body.putNull("next_cursor");
    }
    body.put("has_more", page.hasMore());
    ObjectNode window = body.putObject("window");
    window.put("from", Rows.iso(filter.window().from()));
    window.put("to", Rows.iso(filter.window().to()));
    body.set("freshness", freshness(latest));
    return body;
  }

  /** {@code GET /v1/runs/{runId}}. */
  ObjectNode getRun(Caller caller, String runIdSegment, String rawQuery) {
    JsonNode row = findRun(caller, runIdSegment, rawQuery);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("run", RunJson.toJson(row));
    body.set("freshness", freshness(RunJson.updatedNanos(row)));
    return body;
  }

  /** {@code GET /v1/runs/{runId}/trace}. */
  ObjectNode getTrace(Caller caller, String runIdSegment, String rawQuery) {
    JsonNode row = findRun(caller, runIdSegment, rawQuery);
    String traceId = Rows.text(row, "trace_id");
    List<JsonNode> spans = traceId.isEmpty()
        ? List.of()
        : metrics.query("select_trace_spans", () -> reader.query(selectTraceSpans.sql(Rows.text(row, "tenant"),
            traceId, RunJson.firstSpanNanos(row), RunJson.lastSpanNanos(row), maxSpansPerTrace)));
    SpanTree tree = SpanTree.build(spans, maxSpansPerTrace);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("run", RunJson.toJson(row));
    body.putArray("spans").addAll(tree.roots());
    body.put("span_count", tree.size());
    body.put("truncated", tree.truncated());
    body.set("freshness", freshness(RunJson.updatedNanos(row)));
    return body;
  }

  /** {@code GET /v1/stats}: counts, failure rate, durations and a series, from the rollup. */
  ObjectNode stats(Caller caller, String rawQuery) {
    StatsRequest r = StatsRequest.parse(rawQuery, list.maxWindow(), clock, caller);
    List<JsonNode> counts = metrics.query("select_stats", () -> reader.query(selectRunStats.countsByFunction(r)));
    List<JsonNode> durations = metrics.query("select_stats", () -> reader.query(selectRunStats.durations(r)));
    List<JsonNode> series = metrics.query("select_stats", () -> reader.query(selectRunStats.series(r)));
    ObjectNode body = RunStatsJson.build(r, counts, durations, series);
    body.set("freshness", freshness(RunStatsJson.refreshed(counts)));
    return body;
  }

  /** {@code GET /health}: the reader answers a ping, or the reason it does not. */
  HealthAnswer health() {
    try {
      if (reader.ping()) return new HealthAnswer(true, null);
      return new HealthAnswer(false, "ClickHouse reader does not answer a ping");
    } catch (RuntimeException e) {
      return new HealthAnswer(false, "ClickHouse reader ping failed: " + e.getClass().getSimpleName());
    }
  }

  record HealthAnswer(boolean ok, String reason) {}

  /**
   * The run through its id's keys, within the caller's tenant; 404 when none holds it (another
   * tenant's run included, so its existence does not leak), 409 when several runs share the id.
   */
  private JsonNode findRun(Caller caller, String runIdSegment, String rawQuery) {
    String runId = QueryParameters.runId(runIdSegment);
    QueryParameters p = QueryParameters.parse(rawQuery, RUN_PARAMETERS);
    TenantScope scope = TenantScope.of(caller, p);
    List<JsonNode> keys = metrics.query("select_run_keys",
        () -> reader.query(selectRunById.keys(runId, scope.tenant(), scope.environments())));
    Map<String, JsonNode> runs = new LinkedHashMap<>();
    for (JsonNode k : keys) {
      List<JsonNode> found = metrics.query("select_run_by_key", () -> reader.query(selectRunById.run(
          Rows.text(k, "tenant"), Rows.text(k, "environment"), Rows.longValue(k, "created_unix_nano"),
          Rows.text(k, "trace_id"))));
      // The id may have changed since this key was written: the run must still carry it.
      for (JsonNode row : found) {
        if (Rows.text(row, "run_id").equals(runId)) runs.put(Rows.text(row, "trace_id"), row);
      }
    }
    List<JsonNode> distinct = new ArrayList<>(runs.values());
    if (distinct.isEmpty()) throw ApiException.notFound("no run " + QueryParameters.quoted(runId));
    if (distinct.size() > 1) {
      throw new ApiException(409, "ambiguous",
          "run " + QueryParameters.quoted(runId) + " exists in more than one tenant or environment; pass tenant and environment");
    }
    return distinct.get(0);
  }

  private ObjectNode freshness(long latestUpdateNanos) {
    ObjectNode f = JsonNodeFactory.instance.objectNode();
    f.put("as_of", Rows.iso(clock.instant()));
    f.put("latest_update", Rows.isoOrNull(latestUpdateNanos));
    return f;
  }

  static RunFilter.RunListSettings listSettings(int defaultPageSize, int maxPageSize, Duration defaultWindow,
      Duration maxWindow) {
    return new RunFilter.RunListSettings(defaultPageSize, maxPageSize, defaultWindow, maxWindow);
  }
}
