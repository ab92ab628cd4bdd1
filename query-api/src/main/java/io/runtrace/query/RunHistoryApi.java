package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.query.auth.Caller;
import io.runtrace.query.jaeger.JaegerApi;
import io.runtrace.query.routing.ReaderHealth;
import io.runtrace.query.routing.ReaderRouter;
import io.runtrace.query.routing.ServingReader;
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
 * lagging replica, and the replica that served it with its replication delay. Each answer is read
 * through the {@link ReaderRouter}: all of its queries on one reader, again on another when that
 * reader goes away.
 */
final class RunHistoryApi {
  private static final Set<String> RUN_PARAMETERS = Set.of("tenant", "environment");

  private final ReaderRouter readers;
  private final Clock clock;
  private final QueryMetrics metrics;
  private final RunFilter.RunListSettings list;
  private final int maxSpansPerTrace;
  private final RunPager pager;
  private final SelectRunById selectRunById;
  private final SelectTraceSpans selectTraceSpans;
  private final SelectRunStats selectRunStats;
  private final JaegerApi jaeger;

  /** Over one replica, checked on each {@code /health} (tests and tools). */
  RunHistoryApi(ReadReplica reader, Clock clock, QueryMetrics metrics, RunFilter.RunListSettings list,
      int maxSpansPerTrace) {
    this(ReaderRouter.builder().readers(List.of(reader)).meterRegistry(metrics.registry()).build(), clock, metrics,
        list, maxSpansPerTrace);
  }

  RunHistoryApi(ReaderRouter readers, Clock clock, QueryMetrics metrics, RunFilter.RunListSettings list,
      int maxSpansPerTrace) {
    this.readers = readers;
    this.clock = clock;
    this.metrics = metrics;
    this.list = list;
    this.maxSpansPerTrace = maxSpansPerTrace;
    this.pager = new RunPager(new SelectRunPage(readers.database()));
    this.selectRunById = new SelectRunById(readers.database());
    this.selectTraceSpans = new SelectTraceSpans(readers.database());
    this.selectRunStats = new SelectRunStats(readers.database());
    this.jaeger = new JaegerApi(readers, clock, list.maxWindow(), maxSpansPerTrace, metrics::query);
  }

  /** The Jaeger query API over the same readers, clock and limits. */
  JaegerApi jaeger() {
    return jaeger;
  }

  /** {@code GET /v1/runs}: a page, newest first, with {@code next_cursor} and {@code has_more}. */
  ObjectNode listRuns(Caller caller, String rawQuery) {
    RunFilter filter = RunFilter.parse(rawQuery, list, clock, caller);
    return readers.read(reader -> listRuns(filter, reader));
  }

  private ObjectNode listRuns(RunFilter filter, ServingReader reader) {
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
    body.set("freshness", freshness(latest, reader));
    return body;
  }

  /** {@code GET /v1/runs/{runId}}. */
  ObjectNode getRun(Caller caller, String runIdSegment, String rawQuery) {
    RunLookup lookup = lookup(caller, runIdSegment, rawQuery);
    return readers.read(reader -> getRun(lookup, reader));
  }

  private ObjectNode getRun(RunLookup lookup, ServingReader reader) {
    JsonNode row = findRun(lookup, reader);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("run", RunJson.toJson(row));
    body.set("freshness", freshness(RunJson.updatedNanos(row), reader));
    return body;
  }

  /** {@code GET /v1/runs/{runId}/trace}. */
  ObjectNode getTrace(Caller caller, String runIdSegment, String rawQuery) {
    RunLookup lookup = lookup(caller, runIdSegment, rawQuery);
    return readers.read(reader -> getTrace(lookup, reader));
  }

  private ObjectNode getTrace(RunLookup lookup, ServingReader reader) {
    JsonNode row = findRun(lookup, reader);
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
    body.set("freshness", freshness(RunJson.updatedNanos(row), reader));
    return body;
  }

  /** {@code GET /v1/stats}: counts, failure rate, durations and a series, from the rollup. */
  ObjectNode stats(Caller caller, String rawQuery) {
    StatsRequest r = StatsRequest.parse(rawQuery, list.maxWindow(), clock, caller);
    return readers.read(reader -> stats(r, reader));
  }

  private ObjectNode stats(StatsRequest r, ServingReader reader) {
    List<JsonNode> counts = metrics.query("select_stats", () -> reader.query(selectRunStats.countsByFunction(r)));
    List<JsonNode> durations = metrics.query("select_stats", () -> reader.query(selectRunStats.durations(r)));
    List<JsonNode> series = metrics.query("select_stats", () -> reader.query(selectRunStats.series(r)));
    ObjectNode body = RunStatsJson.build(r, counts, durations, series);
    body.set("freshness", freshness(RunStatsJson.refreshed(counts), reader));
    return body;
  }

  /** {@code GET /health}: ok while a reader is up; each reader's state, and the reasons when none is. */
  HealthAnswer health() {
    ReaderHealth h = readers.health();
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (ReaderHealth.Reader r : h.readers()) {
      ObjectNode o = list.addObject().put("reader", r.name()).put("up", r.up());
      if (r.delaySeconds().isPresent()) o.put("delay_s", r.delaySeconds().getAsLong());
      else o.putNull("delay_s");
      if (!r.up()) o.put("reason", r.reason());
    }
    return new HealthAnswer(h.ok(), h.reason(), list);
  }

  record HealthAnswer(boolean ok, String reason, ArrayNode readers) {}

  /** A by-id request, checked before any reader is asked: the run id and the caller's scope. */
  private record RunLookup(String runId, TenantScope scope) {}

  private static RunLookup lookup(Caller caller, String runIdSegment, String rawQuery) {
    String runId = QueryParameters.runId(runIdSegment);
    return new RunLookup(runId, TenantScope.of(caller, QueryParameters.parse(rawQuery, RUN_PARAMETERS)));
  }

  /**
   * The run through its id's keys, within the caller's tenant; 404 when none holds it (another
   * tenant's run included, so its existence does not leak), 409 when several runs share the id.
   */
  private JsonNode findRun(RunLookup lookup, ServingReader reader) {
    String runId = lookup.runId();
    TenantScope scope = lookup.scope();
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

  private ObjectNode freshness(long latestUpdateNanos, ServingReader reader) {
    ObjectNode f = JsonNodeFactory.instance.objectNode();
    f.put("as_of", Rows.iso(clock.instant()));
    f.put("latest_update", Rows.isoOrNull(latestUpdateNanos));
    f.put("replica", reader.name());
    if (reader.delaySeconds().isPresent()) f.put("replica_delay_s", reader.delaySeconds().getAsLong());
    else f.putNull("replica_delay_s");
    return f;
  }

  static RunFilter.RunListSettings listSettings(int defaultPageSize, int maxPageSize, Duration defaultWindow,
      Duration maxWindow) {
    return new RunFilter.RunListSettings(defaultPageSize, maxPageSize, defaultWindow, maxWindow);
  }
}
