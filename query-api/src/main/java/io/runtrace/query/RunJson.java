package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Maps a {@code run_list} row to the run JSON of the API. Times are ISO-8601 UTC, nanosecond precision. */
final class RunJson {
  /** The columns {@link #toJson(JsonNode)} reads. */
  static final String COLUMNS = "tenant, environment, run_id, trace_id, app, function, status, stale,"
      + " queued_unix_nano, started_unix_nano, ended_unix_nano, last_span_unix_nano, created_unix_nano,"
      + " updated_unix_nano, span_count, attempts, error";

  private RunJson() {}

  static ObjectNode toJson(JsonNode row) {
    ObjectNode run = JsonNodeFactory.instance.objectNode();
    run.put("run_id", Rows.text(row, "run_id"));
    run.put("trace_id", Rows.text(row, "trace_id"));
    run.put("tenant", Rows.text(row, "tenant"));
    run.put("environment", Rows.text(row, "environment"));
    run.put("app", Rows.text(row, "app"));
    run.put("function", Rows.text(row, "function"));
    run.put("status", Rows.text(row, "status"));
    run.put("stale", Rows.longValue(row, "stale") != 0);
    long queued = Rows.longValue(row, "queued_unix_nano");
    long started = Rows.longValue(row, "started_unix_nano");
    long ended = Rows.longValue(row, "ended_unix_nano");
    run.put("created_at", Rows.isoOrNull(Rows.longValue(row, "created_unix_nano")));
    run.put("queued_at", Rows.isoOrNull(queued));
    run.put("started_at", Rows.isoOrNull(started));
    run.put("ended_at", Rows.isoOrNull(ended));
    // A run that ended before it was seen to start still has a length: measure from the queue.
    long from = started > 0 ? started : queued;
    if (ended > 0 && from > 0 && ended >= from) {
      run.put("duration_ms", Rows.millisBetween(from, ended));
    } else {
      run.putNull("duration_ms");
    }
    run.put("span_count", Rows.longValue(row, "span_count"));
    run.put("attempts", Rows.longValue(row, "attempts"));
    String error = Rows.text(row, "error");
    run.put("error", error.isEmpty() ? null : error);
    run.put("updated_at", Rows.isoOrNull(Rows.longValue(row, "updated_unix_nano")));
    return run;
  }

  /** The earliest start of any of the run's spans: its queued, started or first-seen time. */
  static long firstSpanNanos(JsonNode row) {
    long first = Rows.longValue(row, "created_unix_nano");
    for (String field : new String[] {"queued_unix_nano", "started_unix_nano"}) {
      long v = Rows.longValue(row, field);
      if (v > 0 && v < first) first = v;
    }
    return first;
  }

  /** The latest end of the run's spans, or its first-seen time when it has none yet. */
  static long lastSpanNanos(JsonNode row) {
    return Math.max(Rows.longValue(row, "last_span_unix_nano"), Rows.longValue(row, "created_unix_nano"));
  }

  /** The row's update time in unix nanoseconds, for freshness. */
  static long updatedNanos(JsonNode row) {
    return Rows.longValue(row, "updated_unix_nano");
  }
}
