package io.runtrace.query;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Rows shaped like ClickHouse 18.16's JSONEachRow output (UInt64 quoted as strings). */
final class TestRows {
  /** 2025-01-02T03:04:05.123456789Z in unix nanoseconds. */
  static final long T0 = 1_735_787_045_123_456_789L;

  private TestRows() {}

  static ObjectNode run(String runId, String status, long queued, long updated) {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    row.put("tenant", "acme").put("environment", "prod").put("run_id", runId).put("trace_id", "trace-" + runId)
        .put("app", "billing").put("function", "charge").put("status", status).put("stale", 0)
        .put("queued_unix_nano", Long.toString(queued)).put("started_unix_nano", "0")
        .put("ended_unix_nano", "0").put("created_unix_nano", Long.toString(queued))
        .put("updated_unix_nano", Long.toString(updated))
        .put("span_count", 0).put("attempts", 1).put("error", "");
    return row;
  }

  static ObjectNode span(String spanId, String parentId, long start) {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    row.put("span_id", spanId).put("parent_span_id", parentId).put("name", "step " + spanId)
        .put("kind", "internal").put("service", "executor").put("step", spanId).put("attempt", 1)
        .put("start_unix_nano", Long.toString(start)).put("end_unix_nano", Long.toString(start + 1_000_000))
        .put("status_code", "ok").put("status_message", "").put("events", "").put("trimmed", 0);
    row.putArray("attr_keys");
    row.putArray("attr_values");
    return row;
  }
}
