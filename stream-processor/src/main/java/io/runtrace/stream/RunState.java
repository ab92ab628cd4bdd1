package io.runtrace.stream;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.runtrace.model.RunStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The assembled state of one run (one trace). Every user-visible field is merged with an
 * order-free rule (min, max, or a total order over candidates), so the result is the same
 * whatever order the spans arrive in, and a duplicate span changes nothing. The rules are in
 * {@code schemas/README.md}, "How a run's record is derived".
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
  StatusReport statusReport = new StatusReport();
  long queuedNanos;
  long startedNanos;
  long lastSpanNanos;
  /** Fixed at first sight, whatever span that was: the storage partition key of every version. */
  long createdNanos;
  long attempts;
  long errorNanos;
  String errorSpanId = "";
  String errorMessage = "";
  Set<String> spanIds = new LinkedHashSet<>();
  long spanCount;
  long revision;
  boolean stale;
  /** Latest timestamp (ms) of a record that brought a new span; what staleness and retention count from. */
  long lastRecordMs;
  /** Set once the run passed its retention: span ids are dropped and no more versions are emitted. */
  boolean closed;
  /** When the run was closed, in record time (ms). */
  long closedAtMs;
  /** The due time (ms) under which the run is indexed for its next check; see {@link RunExpiry}. */
  long dueMs;
  /** The (tenant, environment) keys versions were listed under, oldest first, at most {@link #MAX_LISTED}. */
  Set<String> listed = new LinkedHashSet<>();
  static final int MAX_LISTED = 8;

  /** Merges one span; false when it was a duplicate and nothing changed. */
  boolean merge(SpanRow s) {
    if (spanIds.contains(s.spanId())) return false;
    if (spanIds.size() < MAX_TRACKED_SPANS) spanIds.add(s.spanId());
    spanCount++;
    if (traceId.isEmpty()) traceId = s.traceId();
    if (createdNanos == 0) createdNanos = s.startUnixNano();
    // The run span (the root, reporting a status) names the run; then other roots, then markers.
    int priority = (s.parentSpanId().isEmpty() ? 2 : 0) + (s.runStatus().isEmpty() ? 0 : 1);
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
    String error = s.isError() ? s.errorMessage() : "";
    if (reported != null) {
      statusReport.offer(reported, s.endUnixNano(), s.spanId(), error);
    } else {
      statusReport.offer(RunStatus.RUNNING, s.startUnixNano(), s.spanId(), error);
    }
    lastSpanNanos = Math.max(lastSpanNanos, s.endUnixNano());
    attempts = Math.max(attempts, s.attempt());
    if (s.isError() && (s.endUnixNano() > errorNanos
        || (s.endUnixNano() == errorNanos && s.spanId().compareTo(errorSpanId) < 0))) {
      errorNanos = s.endUnixNano();
      errorSpanId = s.spanId();
      errorMessage = s.errorMessage();
    }
    stale = false;
    return true;
  }

  private static long min(long current, long candidate) {
    return current == 0 ? candidate : Math.min(current, candidate);
  }

  String runId() { return runId.value; }
  String tenant() { return tenant.value; }
  String environment() { return environment.value; }
  String app() { return app.value; }
  String function() { return function.value; }
  boolean terminal() { return statusReport.terminal; }

  /** The run as a row of the {@code runs} table, at the given processing time. */
  RunRow toRow(long updatedUnixNano) {
    String[] error = error();
    return new RunRow(tenant.value, environment.value, runId.value, traceId, app.value, function.value,
        statusReport.status, stale ? 1 : 0,
        queuedNanos == 0 ? startedNanos : queuedNanos,
        startedNanos,
        statusReport.terminal ? statusReport.nanos : 0,
        lastSpanNanos, createdNanos, updatedUnixNano, spanCount, Math.max(1, attempts),
        error[0], error[1], revision, 0);
  }

  /**
   * Tombstones for every key this run was listed under that {@code current} no longer has, and
   * records {@code current}'s key. Repeated in every version, so compaction of the runs topic
   * can't lose one.
   */
  List<RunRow> relist(RunRow current) {
    String key = current.tenant() + '\u001f' + current.environment();
    List<RunRow> tombstones = new ArrayList<>();
    for (String former : listed) {
      if (former.equals(key)) continue;
      int cut = former.indexOf('\u001f');
      tombstones.add(current.tombstone(former.substring(0, cut), former.substring(cut + 1)));
    }
    listed.remove(key);
    listed.add(key);
    // Past the bound the oldest former key goes: its tombstone is in ClickHouse already.
    while (listed.size() > MAX_LISTED) listed.remove(listed.iterator().next());
    return tombstones;
  }

  /**
   * Message and span id of the error shown: none when completed; for cancelled and timed out
   * only the reporting span's own error (an earlier step failure was not why the run ended);
   * for failed the reporting span's error, else the latest failed span's; while not terminal
   * the latest failed span's.
   */
  private String[] error() {
    RunStatus s = RunStatus.parse(statusReport.status);
    if (s == RunStatus.COMPLETED) return new String[] {"", ""};
    boolean ownError = s != null && s.terminal() && !statusReport.error.isEmpty();
    if (ownError) return new String[] {statusReport.error, statusReport.spanId};
    if (s == RunStatus.CANCELLED || s == RunStatus.TIMED_OUT) return new String[] {"", ""};
    return new String[] {errorMessage, errorSpanId};
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
