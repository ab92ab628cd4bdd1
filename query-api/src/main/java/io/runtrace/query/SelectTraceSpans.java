package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The spans of one trace, earliest first, from {@code spans FINAL}. Spans of the run's tenant
 * and spans with no tenant yet (attributes can arrive late) are shown; spans claiming another
 * tenant are not. Asks for one span more than the cap so that the caller can tell a full trace
 * from a truncated one.
 */
final class SelectTraceSpans {
  private final String database;

  SelectTraceSpans(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(String tenant, String traceId, int maxSpans) {
    Set<String> tenants = new LinkedHashSet<>();
    tenants.add(tenant);
    tenants.add("");
    return "SELECT " + SpanJson.COLUMNS
        + " FROM " + database + ".spans FINAL"
        + " WHERE trace_id = " + ClickHouseSql.literal(traceId)
        + " AND tenant IN " + ClickHouseSql.literals(tenants)
        + " ORDER BY start_unix_nano, span_id"
        + " LIMIT " + ClickHouseSql.literal(maxSpans + 1L);
  }
}
