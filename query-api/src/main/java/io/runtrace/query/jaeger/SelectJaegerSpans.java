package io.runtrace.query.jaeger;

import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.query.jaeger.SelectJaegerCandidates.Candidate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The Jaeger endpoints' reads of {@code spans}, each by the sorting key's prefix (trace ids) and
 * only in the days the traces' spans started in (the partitions): which candidate traces have a
 * span that matches a search, the spans of some traces, the spans of one trace, and the services
 * and operations of the candidates.
 */
final class SelectJaegerSpans {
  /** Spans newer or older than their run's known times by up to this are still read, seconds. */
  static final long MARGIN_SECONDS = 3600;
  static final String COLUMNS = "tenant, environment, trace_id, span_id, parent_span_id, name, kind, service,"
      + " start_unix_nano, end_unix_nano, status_code, status_message, attr_keys, attr_values, resource_keys,"
      + " resource_values, events";
  private final String database;

  SelectJaegerSpans(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  /** {@code trace_id} of each candidate with a span that matches the whole search. */
  String matches(TraceSearch s, List<Candidate> candidates, JaegerScope scope) {
    StringBuilder sql = new StringBuilder("SELECT trace_id FROM ").append(database).append(".spans FINAL WHERE ")
        .append(among(candidates)).append(scope.spansCondition())
        .append(" AND service = ").append(ClickHouseSql.literal(s.service()));
    s.operation().ifPresent(op -> sql.append(" AND name = ").append(ClickHouseSql.literal(op)));
    if (s.minDurationNanos() > 0 || s.maxDurationNanos() > 0) sql.append(" AND end_unix_nano >= start_unix_nano AND end_unix_nano > 0");
    if (s.minDurationNanos() > 0) sql.append(" AND duration_ns >= ").append(ClickHouseSql.literal(s.minDurationNanos()));
    if (s.maxDurationNanos() > 0) sql.append(" AND duration_ns <= ").append(ClickHouseSql.literal(s.maxDurationNanos()));
    sql.append(JaegerTags.condition(s.tags()));
    return sql.append(" GROUP BY trace_id").toString();
  }

  /** The spans of these traces, earliest first, at most {@code perTrace} each and {@code total} in all. */
  String spans(List<Candidate> traces, JaegerScope scope, int perTrace, int total) {
    return "SELECT " + COLUMNS + " FROM " + database + ".spans FINAL WHERE " + among(traces) + scope.spansCondition()
        + " ORDER BY start_unix_nano, span_id LIMIT " + ClickHouseSql.literal(perTrace) + " BY trace_id"
        + " LIMIT " + ClickHouseSql.literal(total);
  }

  /**
   * The spans of one trace, earliest first, one more than {@code max}; within
   * {@code [fromNanos, toNanos]} (an hour's margin either side) when given, else in every partition.
   */
  String trace(String traceId, Optional<long[]> window, JaegerScope scope, int max) {
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM ").append(database)
        .append(".spans FINAL WHERE trace_id = ").append(ClickHouseSql.literal(traceId));
    window.ifPresent(w -> sql.append(startTimeBetween(w[0], w[1])));
    return sql.append(scope.spansCondition())
        .append(" ORDER BY start_unix_nano, span_id LIMIT ").append(ClickHouseSql.literal(max + 1L)).toString();
  }

  /** The service names of the candidates' spans, sorted. */
  String services(List<Candidate> candidates, JaegerScope scope) {
    return "SELECT service FROM " + database + ".spans WHERE " + among(candidates) + scope.spansCondition()
        + " AND service != '' GROUP BY service ORDER BY service";
  }

  /** The operation (span) names and kinds of one service among the candidates' spans, sorted. */
  String operations(List<Candidate> candidates, JaegerScope scope, String service, Optional<String> kind) {
    StringBuilder sql = new StringBuilder("SELECT name, kind FROM ").append(database).append(".spans WHERE ")
        .append(among(candidates)).append(scope.spansCondition())
        .append(" AND service = ").append(ClickHouseSql.literal(service));
    kind.ifPresent(k -> sql.append(" AND kind = ").append(ClickHouseSql.literal(k)));
    return sql.append(" GROUP BY name, kind ORDER BY name, kind").toString();
  }

  private static String among(List<Candidate> candidates) {
    long first = Long.MAX_VALUE;
    long last = 0;
    for (Candidate c : candidates) {
      first = Math.min(first, c.firstNanos());
      last = Math.max(last, c.lastNanos());
    }
    return "trace_id IN " + ClickHouseSql.literals(ids(candidates)) + startTimeBetween(first, last);
  }

  private static String startTimeBetween(long fromNanos, long toNanos) {
    long from = Math.max(0, fromNanos / 1_000_000_000L - MARGIN_SECONDS);
    long to = toNanos / 1_000_000_000L + MARGIN_SECONDS;
    return " AND start_time >= toDateTime(" + ClickHouseSql.literal(from) + ")"
        + " AND start_time <= toDateTime(" + ClickHouseSql.literal(to) + ")";
  }

  private static Collection<String> ids(List<Candidate> candidates) {
    return candidates.stream().map(Candidate::traceId).distinct().toList();
  }
}
