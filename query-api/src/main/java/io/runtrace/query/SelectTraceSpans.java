package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The spans of one trace, earliest first, from {@code spans FINAL}, read by the sorting key's
 * prefix and only in the days the run's spans started in: from its earliest start to its last
 * span's end, an hour's margin either side for spans newer than the run's version. Spans of the
 * run's tenant and spans with no tenant yet (attributes can arrive late) are shown; spans
 * claiming another tenant are not. Asks for one span more than the cap so that the caller can
 * tell a full trace from a truncated one.
 */
final class SelectTraceSpans {
  static final long MARGIN_SECONDS = 3600;
  private final String database;

  SelectTraceSpans(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(String tenant, String traceId, long firstNanos, long lastNanos, int maxSpans) {
    Set<String> tenants = new LinkedHashSet<>();
    tenants.add(tenant);
    tenants.add("");
    long from = Math.max(0, firstNanos / 1_000_000_000L - MARGIN_SECONDS);
    long to = lastNanos / 1_000_000_000L + MARGIN_SECONDS;
    return "SELECT " + SpanJson.COLUMNS
        + " FROM " + database + ".spans FINAL"
        + " WHERE trace_id = " + ClickHouseSql.literal(traceId)
        + " AND start_time >= toDateTime(" + ClickHouseSql.literal(from) + ")"
        + " AND start_time <= toDateTime(" + ClickHouseSql.literal(to) + ")"
        + " AND tenant IN " + ClickHouseSql.literals(tenants)
        + " ORDER BY start_unix_nano, span_id"
        + " LIMIT " + ClickHouseSql.literal(maxSpans + 1L);
  }
}
