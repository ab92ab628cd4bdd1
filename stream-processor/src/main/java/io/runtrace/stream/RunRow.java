package io.runtrace.stream;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One version of a run as a row of the ClickHouse {@code run_list} table, the first line of the
 * runs topic's value. {@code deleted} is 1 on a tombstone: the run under a key it no longer has.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record RunRow(
    String tenant,
    String environment,
    String runId,
    String traceId,
    String app,
    String function,
    String status,
    int stale,
    long queuedUnixNano,
    long startedUnixNano,
    long endedUnixNano,
    long lastSpanUnixNano,
    long createdUnixNano,
    long updatedUnixNano,
    long spanCount,
    long attempts,
    String error,
    String errorSpanId,
    long version,
    int deleted) {

  /** This version under a tenant and environment the run had before, marked deleted. */
  RunRow tombstone(String formerTenant, String formerEnvironment) {
    return new RunRow(formerTenant, formerEnvironment, runId, traceId, app, function, status, stale, queuedUnixNano,
        startedUnixNano, endedUnixNano, lastSpanUnixNano, createdUnixNano, updatedUnixNano, spanCount, attempts, error,
        errorSpanId, version, 1);
  }
}
