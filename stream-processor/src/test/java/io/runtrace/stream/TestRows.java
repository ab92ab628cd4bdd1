package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.T0;

import java.util.List;

/** Builds {@link SpanRow}s of one run for tests that bypass OTLP decoding, at fixed times. */
final class TestRows {
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String RUN_SPAN = "00000000000000aa";

  private TestRows() {}

  /** The run span: the root, with the run's identity and the given status (or none). */
  static SpanRow run(String status, long startMs, long endMs) {
    return row(RUN_SPAN, "", "run_1", "acme", "", status, 0, startMs, endMs, false);
  }

  /** A step span under the run span, with only the run id. */
  static SpanRow step(String spanId, String step, long attempt, long startMs, long endMs, boolean error) {
    return row(spanId, RUN_SPAN, "run_1", "", step, "", attempt, startMs, endMs, error);
  }

  /** A zero-length status marker span under the run span. */
  static SpanRow marker(String spanId, String status, long atMs) {
    return row(spanId, RUN_SPAN, "run_1", "", "", status, 0, atMs, atMs, false);
  }

  /** The same span failed, with the given message. */
  static SpanRow failed(SpanRow s, String message) {
    return new SpanRow(s.tenant(), s.environment(), s.traceId(), s.spanId(), s.parentSpanId(), s.runId(), s.app(),
        s.function(), s.step(), s.attempt(), s.name(), s.kind(), s.service(), s.startUnixNano(), s.endUnixNano(),
        "error", message, s.attrKeys(), s.attrValues(), s.resourceKeys(), s.resourceValues(), s.events(),
        s.trimmed(), s.version(), s.runStatus(), s.queuedAtUnixNano(), message);
  }

  static SpanRow row(String spanId, String parent, String runId, String tenant, String step, String status,
      long attempt, long startMs, long endMs, boolean error) {
    String message = error ? spanId + " failed" : "";
    return new SpanRow(tenant, tenant.isEmpty() ? "" : "prod", TRACE, spanId, parent, runId,
        tenant.isEmpty() ? "" : "billing", tenant.isEmpty() ? "" : "charge-card", step, attempt,
        step.isEmpty() ? "run" : "step " + step, "internal", "executor", T0 + startMs * MS, T0 + endMs * MS,
        error ? "error" : "unset", message, List.of(), List.of(), List.of(), List.of(), "[]", 0, 1, status, 0,
        message);
  }

  static RunRow assemble(SpanRow... spans) {
    RunState state = new RunState();
    for (SpanRow s : spans) state.merge(s);
    return state.toRow(0);
  }
}
