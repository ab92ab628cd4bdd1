package io.runtrace.query.jaeger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A checked {@code GET /api/traces}: the service (required, as in Jaeger), the optional operation,
 * tags and span-duration bounds, how many traces, and the window {@code [start, end]} in unix
 * nanoseconds within which runtrace first saw the trace's run.
 */
record TraceSearch(String service, Optional<String> operation, Map<String, String> tags, long minDurationNanos,
    long maxDurationNanos, int limit, long fromNanos, long toNanos) {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  /** The window when {@code start} is absent: the hour before {@code end}, as Jaeger's UI searches. */
  static final Duration DEFAULT_LOOKBACK = Duration.ofHours(1);
  /** {@code lookback} and {@code prettyPrint} are what Jaeger's UI also sends; they are accepted and ignored. */
  static final Set<String> PARAMETERS = Set.of("service", "operation", "tags", "tag", "minDuration", "maxDuration",
      "limit", "start", "end", "lookback", "prettyPrint");

  static TraceSearch parse(String rawQuery, Clock clock, Duration maxWindow) {
    JaegerParameters p = JaegerParameters.parse(rawQuery, PARAMETERS);
    String service = p.text("service").orElseThrow(() -> JaegerException.badRequest("parameter 'service' is required"));
    long min = p.text("minDuration").map(v -> GoDuration.parseNanos("minDuration", v)).orElse(0L);
    long max = p.text("maxDuration").map(v -> GoDuration.parseNanos("maxDuration", v)).orElse(0L);
    if (min != 0 && max != 0 && max < min) {
      throw JaegerException.badRequest("'maxDuration' should be greater than 'minDuration'");
    }
    int limit = p.limit("limit", DEFAULT_LIMIT, MAX_LIMIT);
    long now = clock.instant().getEpochSecond() * 1_000_000_000L + clock.instant().getNano();
    long to = p.timeNanos("end").orElse(now);
    long from = p.timeNanos("start").orElse(to - DEFAULT_LOOKBACK.toNanos());
    if (from >= to) {
      throw JaegerException.badRequest("unable to parse param 'start': must be before 'end', was start=" + from / 1_000
          + " end=" + to / 1_000 + " (unix microseconds)");
    }
    if (to - from > maxWindow.toNanos()) {
      throw JaegerException.badRequest("unable to parse param 'start': the window from 'start' to 'end' is longer than "
          + maxWindow.toHours() + " h, the most this service allows");
    }
    return new TraceSearch(service, p.text("operation"), JaegerTags.parse(p.all("tags"), p.all("tag")), min, max,
        limit, from, to);
  }
}
