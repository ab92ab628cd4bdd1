package io.runtrace.stream;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.runtrace.model.RunStatus;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The assembled state of one run (one trace). Every field is merged with an order-free rule
 * (min, max, or a total order over candidates), so the result is the same whatever order the
 * spans arrive in, and a duplicate span changes nothing.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
final class RunState {
  /** Span ids remembered for dedup, per run; past this the span count may count a duplicate. */
  static final int MAX_TRACKED_SPANS = 10_000;

  String traceId = "";
  Pick runId = new Pick();
  Pick tenant = new Pick();
  Pick environment = new Pick();
  Pick app = new Pick();
  Pick function = new Pick();
  // The winning status report: terminal first, then latest event time, then enum order.
  String status = "";
  boolean statusTerminal;
  long statusNanos;
  long queuedNanos;
  long startedNanos;
  long lastSpanNanos;
  long createdNanos;
  long attempts;
  long errorNanos;
  String errorSpanId = "";
  String errorMessage = "";
  Set<String> spanIds = new LinkedHashSet<>();
  long spanCount;
  long revision;
  boolean stale;

  /** Merges one span; false when it was a duplicate and nothing changed. */
  boolean merge(SpanRow s) {
    if (spanIds.contains(s.spanId())) return false;
    if (spanIds.size() < MAX_TRACKED_SPANS) spanIds.add(s.spanId());
    spanCount++;
    if (traceId.isEmpty()) traceId = s.traceId();
    if (createdNanos == 0) createdNanos = s.startUnixNano();
    int priority = !s.runStatus().isEmpty() ? 2 : s.parentSpanId().isEmpty() ? 1 : 0;
    runId.offer(s.runId(), priority);
    tenant.offer(s.tenant(), priority);
    environment.offer(s.environment(), priority);
    app.offer(s.app(), priority);
    function.offer(s.function(), priority);

    RunStatus reported = RunStatus.parse(s.runStatus());
    if (reported == RunStatus.QUEUED) {
      queuedNanos = min(queuedNanos, s.startUnixNano());
    } else {
      startedNanos = min(startedNanos, s.startUnixNano());
    }
    if (s.queuedAtUnixNano() > 0) queuedNanos = min(queuedNanos, s.queuedAtUnixNano());
    if (reported != null) {
      offerStatus(reported, s.endUnixNano());
    } else {
      offerStatus(RunStatus.RUNNING, s.startUnixNano());
    }
    lastSpanNanos = Math.max(lastSpanNanos, s.endUnixNano());
    attempts = Math.max(attempts, s.attempt());
    if (s.isError() && (s.endUnixNano() > errorNanos
        || (s.endUnixNano() == errorNanos && s.spanId().compareTo(errorSpanId) > 0))) {
      errorNanos = s.endUnixNano();
      errorSpanId = s.spanId();
      errorMessage = s.errorMessage();
    }
    stale = false;
    return true;
  }

  private void offerStatus(RunStatus candidate, long nanos) {
    RunStatus current = RunStatus.parse(status);
    int cmp = current == null ? 1 : Boolean.compare(candidate.terminal(), statusTerminal);
    if (cmp == 0) cmp = Long.compare(nanos, statusNanos);
    if (cmp == 0) cmp = Integer.compare(candidate.ordinal(), current.ordinal());
    if (cmp > 0) {
      status = candidate.wireName();
      statusTerminal = candidate.terminal();
      statusNanos = nanos;
    }
  }

  private static long min(long current, long candidate) {
    return current == 0 ? candidate : Math.min(current, candidate);
  }

  String runId() { return runId.value; }
  String tenant() { return tenant.value; }
  String environment() { return environment.value; }
  String app() { return app.value; }
  String function() { return function.value; }

  /** The run as a row of the {@code runs} table, at the given processing time. */
  RunRow toRow(long updatedUnixNano) {
    boolean showError = !RunStatus.COMPLETED.wireName().equals(status);
    return new RunRow(tenant.value, environment.value, runId.value, traceId, app.value, function.value,
        status, stale ? 1 : 0,
        queuedNanos == 0 ? startedNanos : queuedNanos,
        startedNanos,
        statusTerminal ? statusNanos : 0,
        lastSpanNanos, createdNanos, updatedUnixNano, spanCount, Math.max(1, attempts),
        showError ? errorMessage : "", showError ? errorSpanId : "", revision);
  }

  /** A value chosen by (priority, then smallest value): the run span's own attributes win. */
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
  static final class Pick {
    String value = "";
    int priority = -1;

    void offer(String candidate, int candidatePriority) {
      if (candidate.isEmpty()) return;
      if (candidatePriority > priority || (candidatePriority == priority && candidate.compareTo(value) < 0)) {
        value = candidate;
        priority = candidatePriority;
      }
    }
  }
}
