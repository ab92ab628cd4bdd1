package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;

/**
 * The spans of one trace within one tenant, earliest first, from {@code spans FINAL}. Asks for
 * one span more than the cap so that the caller can tell a full trace from a truncated one.
 */
final class SelectTraceSpans {
  private final String database;

  SelectTraceSpans(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(String tenant, String traceId, int maxSpans) {
    return "SELECT " + SpanJson.COLUMNS
        + " FROM " + database + ".spans FINAL"
        + " WHERE tenant = " + ClickHouseSql.literal(tenant)
        + " AND trace_id = " + ClickHouseSql.literal(traceId)
        + " ORDER BY start_unix_nano, span_id"
        + " LIMIT " + ClickHouseSql.literal(maxSpans + 1L);
  }
}
