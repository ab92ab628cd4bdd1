package io.runtrace.stream;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One span as a row of the ClickHouse {@code spans} table; its JSON is the value on the enriched
 * spans topic and a JSONEachRow line for the sink. The last three fields drive run assembly; the
 * table ignores them.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record SpanRow(
    String tenant,
    String environment,
    String traceId,
    String spanId,
    String parentSpanId,
    String runId,
    String app,
    String function,
    String step,
    long attempt,
    String name,
    String kind,
    String service,
    long startUnixNano,
    long endUnixNano,
    String statusCode,
    String statusMessage,
    List<String> attrKeys,
    List<String> attrValues,
    List<String> resourceKeys,
    List<String> resourceValues,
    String events,
    int trimmed,
    long version,
    String runStatus,
    long queuedAtUnixNano,
    String errorMessage) {

  /** The same span with run identity filled in from the assembled run, where the span lacks it. */
  SpanRow enrich(RunState run) {
    if (run.runId().isEmpty()) return this;
    return new SpanRow(
        tenant.isEmpty() ? run.tenant() : tenant,
        environment.isEmpty() ? run.environment() : environment,
        traceId, spanId, parentSpanId,
        runId.isEmpty() ? run.runId() : runId,
        app.isEmpty() ? run.app() : app,
        function.isEmpty() ? run.function() : function,
        step, attempt, name, kind, service, startUnixNano, endUnixNano, statusCode, statusMessage,
        attrKeys, attrValues, resourceKeys, resourceValues, events, trimmed, version, runStatus,
        queuedAtUnixNano, errorMessage);
  }

  boolean isError() {
    return "error".equals(statusCode);
  }
}
