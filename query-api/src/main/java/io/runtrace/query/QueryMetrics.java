package io.runtrace.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The service's meters: HTTP requests per route and status ({@code runtrace_query_http_requests_seconds}),
 * ClickHouse queries and their errors ({@code runtrace_query_clickhouse_queries_seconds},
 * {@code runtrace_query_clickhouse_errors_total}) and requests shed because the queue was full
 * ({@code runtrace_query_http_rejected_total}).
 */
final class QueryMetrics {
  private static final System.Logger LOG = System.getLogger(QueryMetrics.class.getName());

  /** The queries the API runs, as tagged on the ClickHouse meters. */
  static final String[] QUERIES = {"select_run_page", "select_run_keys", "select_run_by_key", "select_trace_spans",
      "select_stats", "jaeger_services", "jaeger_operations", "jaeger_candidates", "jaeger_matches", "jaeger_spans",
      "jaeger_trace"};

  /** The buckets of {@code runtrace_query_http_requests_seconds_bucket}, 5 ms to 10 s. */
  static final Duration[] LATENCY_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final Counter rejected;

  QueryMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.rejected = Counter.builder("runtrace.query.http.rejected")
        .description("Requests answered 503 because every worker was busy and the queue was full")
        .register(registry);
    // Registered at zero so that an alert on the error rate has a series before the first error.
    for (String query : QUERIES) errors(query);
  }

  /** Runs one ClickHouse query; a failure is logged, counted and becomes a 503 for the caller. */
  <T> T query(String name, Supplier<T> query) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = query.get();
      outcome = "success";
      return result;
    } catch (RuntimeException e) {
      errors(name).increment();
      LOG.log(Level.WARNING, "ClickHouse query " + name + " failed", e);
      throw new ApiException(503, "unavailable", "the run history store did not answer; retry later");
    } finally {
      Timer.builder("runtrace.query.clickhouse.queries")
          .description("ClickHouse query time")
          .tags("query", name, "outcome", outcome)
          .register(registry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** Records one answered HTTP request. */
  void request(String route, int status, long nanos) {
    Timer.builder("runtrace.query.http.requests")
        .description("HTTP requests by route and status")
        .tags("route", route, "status", Integer.toString(status))
        // Fixed buckets, not a percentile: a p99 across instances needs histogram_quantile over buckets.
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private Counter errors(String query) {
    return Counter.builder("runtrace.query.clickhouse.errors")
        .description("ClickHouse queries that failed or timed out")
        .tag("query", query)
        .register(registry);
  }

  /** The registry the meters are in, for the reader router's meters. */
  MeterRegistry registry() {
    return registry;
  }

  void rejected() {
    rejected.increment();
  }
}
