package io.runtrace.query.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per reader: {@code runtrace_query_reader_up} (1 or 0), {@code runtrace_query_reader_delay_seconds}
 * (NaN until the first check) and {@code runtrace_query_reader_failovers_total} (reads that failed
 * on it and were tried on another); and the shared {@code runtrace_auth_failures_total} for the
 * ClickHouse credential. All registered at start, so alerts have series before the first failure.
 */
final class ReaderMetrics {
  private final MeterRegistry registry;
  private final Counter authFailures;

  ReaderMetrics(MeterRegistry registry, Iterable<ReaderState> readers) {
    this.registry = registry;
    this.authFailures = Counter.builder("runtrace.auth.failures")
        .description("Credentials refused, by component and credential")
        // One set of tag keys per name in a registry: the API key series carry a reason too.
        .tags("component", "query-api", "credential", "clickhouse", "reason", "refused")
        .register(registry);
    for (ReaderState r : readers) {
      Gauge.builder("runtrace.query.reader.up", r, s -> s.up() ? 1 : 0)
          .description("1 while the ClickHouse reader is used, 0 while it is skipped as down")
          .tag("reader", r.name()).strongReference(true).register(registry);
      Gauge.builder("runtrace.query.reader.delay", r, s -> s.delaySeconds() < 0 ? Double.NaN : s.delaySeconds())
          .description("Replication delay of the ClickHouse reader at its last check")
          .baseUnit("seconds").tag("reader", r.name()).strongReference(true).register(registry);
      failovers(r);
    }
  }

  void authFailure() {
    authFailures.increment();
  }

  void failover(ReaderState from) {
    failovers(from).increment();
  }

  private Counter failovers(ReaderState r) {
    return Counter.builder("runtrace.query.reader.failovers")
        .description("Reads that failed on this reader and were tried on another")
        .tag("reader", r.name())
        .register(registry);
  }
}
