package io.runtrace.query;

import io.runtrace.query.auth.Caller;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of {@code GET /v1/stats}: whole hours {@code [fromHour, toHour)} (unix seconds;
 * the rollup counts runs by the hour they were first seen, so the window's edges widen to whole
 * hours), optional filters, and the series' bucket width, a whole number of hours or days.
 */
record StatsRequest(
    Optional<String> tenant,
    List<String> environments,
    Optional<String> function,
    Optional<String> app,
    long fromHour,
    long toHour,
    long bucketSeconds) {

  static final Set<String> PARAMETERS = Set.of("tenant", "environment", "function", "app", "from", "to", "bucket");
  /** Default window: the last 24 hours. */
  static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
  /** Points of the series at most. */
  static final int MAX_BUCKETS = 500;
  private static final Pattern BUCKET = Pattern.compile("(\\d{1,4})([hd])");

  static StatsRequest parse(String rawQuery, Duration maxWindow, Clock clock, Caller caller) {
    QueryParameters p = QueryParameters.parse(rawQuery, PARAMETERS);
    TenantScope scope = TenantScope.of(caller, p);
    TimeWindow w = TimeWindow.parse(p, clock, DEFAULT_WINDOW, maxWindow);
    long from = Math.floorDiv(w.fromNanos(), 1_000_000_000L) / 3600 * 3600;
    long to = ceilHour(w.toNanos());
    long hours = (to - from) / 3600;
    long bucket = p.text("bucket").map(StatsRequest::bucket).orElse(defaultBucket(hours));
    if ((to - from) / bucket > MAX_BUCKETS) {
      throw ApiException.badRequest("bucket " + p.text("bucket").orElse("") + " gives " + (to - from) / bucket
          + " points over this window; at most " + MAX_BUCKETS);
    }
    return new StatsRequest(scope.tenant(), scope.environments(), p.text("function"), p.text("app"), from, to, bucket);
  }

  /** 1 hour up to two days, 6 hours up to two weeks, else a day. */
  static long defaultBucket(long hours) {
    return hours <= 48 ? 3600 : hours <= 14 * 24 ? 6 * 3600 : 86_400;
  }

  private static long bucket(String value) {
    Matcher m = BUCKET.matcher(value);
    long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
    if (n < 1) {
      throw ApiException.badRequest("bucket must be a whole number of hours or days such as 1h, 6h or 1d, was "
          + QueryParameters.quoted(value));
    }
    return n * (m.group(2).equals("h") ? 3600 : 86_400);
  }

  private static long ceilHour(long nanos) {
    long seconds = Math.floorDiv(nanos, 1_000_000_000L);
    boolean exact = seconds % 3600 == 0 && nanos % 1_000_000_000L == 0;
    return exact ? seconds : (seconds / 3600 + 1) * 3600;
  }
}
