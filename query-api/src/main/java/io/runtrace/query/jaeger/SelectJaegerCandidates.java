package io.runtrace.query.jaeger;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseSql;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The traces a Jaeger search or service list looks at: the caller's runs, newest first, from
 * {@code run_list FINAL}, read by its key prefix {@code (tenant, environment, created time)} in
 * slices that grow backwards from the window's end (1 h, then 4 times the slice before), as
 * {@code /v1/runs} pages are read, so a busy tenant's search reads about an hour of its runs.
 */
final class SelectJaegerCandidates {
  private static final long HOUR = 3_600_000_000_000L;
  private static final int GROWTH = 4;
  private final String database;

  /** One run: its trace id, and when its spans may have started (for the spans' day partitions). */
  record Candidate(String traceId, long firstNanos, long lastNanos) {}

  SelectJaegerCandidates(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(JaegerScope scope, long lo, long hi, int limit) {
    return "SELECT trace_id, created_unix_nano, queued_unix_nano, started_unix_nano, last_span_unix_nano"
        + " FROM " + database + ".run_list FINAL WHERE " + scope.runListPrefix()
        + "created_time >= toDateTime(" + ClickHouseSql.literal(lo / 1_000_000_000L) + ")"
        + " AND created_time <= toDateTime(" + ClickHouseSql.literal(hi / 1_000_000_000L) + ")"
        + " AND created_unix_nano >= " + ClickHouseSql.literal(lo)
        + " AND created_unix_nano < " + ClickHouseSql.literal(hi)
        + " AND deleted = 0 AND trace_id != ''"
        + " ORDER BY created_unix_nano DESC, trace_id DESC LIMIT " + ClickHouseSql.literal(limit);
  }

  /**
   * Walks the window {@code [lo, hi)} newest first, handing each slice's runs to {@code slice}, until
   * {@code budget} runs were read, the window is done, or {@code slice} answers true (enough found).
   */
  void walk(JaegerScope scope, long lo, long hi, int budget, Function<String, List<JsonNode>> reader,
      Predicate<List<Candidate>> slice) {
    long width = HOUR;
    int left = budget;
    while (hi > lo && left > 0) {
      long sliceLo = Math.max(lo, hi - width);
      List<Candidate> found = new ArrayList<>();
      for (JsonNode row : reader.apply(sql(scope, sliceLo, hi, left))) found.add(candidate(row));
      left -= found.size();
      if (!found.isEmpty() && slice.test(found)) return;
      hi = sliceLo;
      width = width > Long.MAX_VALUE / GROWTH ? Long.MAX_VALUE : width * GROWTH;
    }
  }

  static Candidate candidate(JsonNode row) {
    long created = JaegerTraceJson.longValue(row, "created_unix_nano");
    long first = created;
    for (String field : new String[] {"queued_unix_nano", "started_unix_nano"}) {
      long v = JaegerTraceJson.longValue(row, field);
      if (v > 0 && v < first) first = v;
    }
    long last = Math.max(created, JaegerTraceJson.longValue(row, "last_span_unix_nano"));
    return new Candidate(JaegerScope.text(row, "trace_id"), first, last);
  }
}
