package io.runtrace.stream;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One version of a run as a row of the ClickHouse {@code runs} table; the runs topic's value. */
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
    long version) {}
