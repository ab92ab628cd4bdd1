package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The answers of the run-history endpoints, as JSON trees. Every answer carries
 * {@code freshness}: the server's time and the newest {@code updated_at} among the runs it
 * returns, so a caller can tell current data from a lagging replica.
 */
final class RunHistoryApi {
  private static final Set<String> RUN_PARAMETERS = Set.of("tenant", "environment");

  private final ReadReplica reader;
  private final Clock clock;
  private final QueryMetrics metrics;
  private final int defaultPageSize;
  private final int maxPageSize;
  private final int maxSpansPerTrace;
  private final SelectRuns selectRuns;
  private final SelectRunById selectRunById;
  private final SelectTraceSpans selectTraceSpans;

  RunHistoryApi(ReadReplica reader, Clock clock, QueryMetrics metrics,
      int defaultPageSize, int maxPageSize, int maxSpansPerTrace) {
    this.reader = reader;
    this.clock = clock;
    this.metrics = metrics;
    this.defaultPageSize = defaultPageSize;
    this.maxPageSize = maxPageSize;
    this.maxSpansPerTrace = maxSpansPerTrace;
    this.selectRuns = new SelectRuns(reader.database());
    this.selectRunById = new SelectRunById(reader.database());
    this.selectTraceSpans = new SelectTraceSpans(reader.database());
  }

  /** {@code GET /v1/runs}. */
  ObjectNode listRuns(String rawQuery) {
    RunFilter filter = RunFilter.parse(rawQuery, defaultPageSize, maxPageSize);
    List<JsonNode> rows = metrics.query("select_runs", () -> reader.query(selectRuns.sql(filter)));
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    var runs = body.putArray("runs");
    long latest = 0;
    for (JsonNode row : rows) {
      runs.add(RunJson.toJson(row));
      latest = Math.max(latest, RunJson.updatedNanos(row));
    }
    body.set("freshness", freshness(latest));
    return body;
  }

  /** {@code GET /v1/runs/{runId}}. */
  ObjectNode getRun(String runIdSegment, String rawQuery) {
    JsonNode row = findRun(runIdSegment, rawQuery);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("run", RunJson.toJson(row));
    body.set("freshness", freshness(RunJson.updatedNanos(row)));
    return body;
  }

  /** {@code GET /v1/runs/{runId}/trace}. */
  ObjectNode getTrace(String runIdSegment, String rawQuery) {
    JsonNode row = findRun(runIdSegment, rawQuery);
    String traceId = Rows.text(row, "trace_id");
    List<JsonNode> spans = traceId.isEmpty()
        ? List.of()
        : metrics.query("select_trace_spans", () -> reader.query(
            selectTraceSpans.sql(Rows.text(row, "tenant"), traceId, maxSpansPerTrace)));
    SpanTree tree = SpanTree.build(spans, maxSpansPerTrace);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("run", RunJson.toJson(row));
    body.putArray("spans").addAll(tree.roots());
    body.put("span_count", tree.size());
    body.put("truncated", tree.truncated());
    body.set("freshness", freshness(RunJson.updatedNanos(row)));
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

  private JsonNode findRun(String runIdSegment, String rawQuery) {
    String runId = QueryParameters.runId(runIdSegment);
    QueryParameters p = QueryParameters.parse(rawQuery, RUN_PARAMETERS);
    Optional<String> tenant = p.text("tenant");
    Optional<String> environment = p.text("environment");
    List<JsonNode> rows = metrics.query("select_run_by_id",
        () -> reader.query(selectRunById.sql(runId, tenant, environment)));
    if (rows.isEmpty()) throw ApiException.notFound("no run " + QueryParameters.quoted(runId));
    if (rows.size() > 1) {
      throw new ApiException(409, "ambiguous",
          "run " + QueryParameters.quoted(runId) + " exists in more than one tenant or environment; pass tenant and environment");
    }
    return rows.get(0);
  }

  private ObjectNode freshness(long latestUpdateNanos) {
    ObjectNode f = JsonNodeFactory.instance.objectNode();
    f.put("as_of", Rows.iso(clock.instant()));
    f.put("latest_update", Rows.isoOrNull(latestUpdateNanos));
    return f;
  }
}
