package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;

/**
 * One slice of a page of runs: those first seen in {@code [lo, hi)} nanoseconds (and before the
 * cursor, when given), newest first, from {@code run_list FINAL} without tombstones. The tenant
 * and environment are the first key columns and the time the third, so a slice reads only its
 * tenant's rows of those hours; the partition column's bounds prune the days outside it.
 */
final class SelectRunPage {
  private final String database;

  SelectRunPage(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(RunFilter f, long lo, long hi, RunCursor after, int limit) {
    StringBuilder sql = new StringBuilder()
        .append("SELECT ").append(RunJson.COLUMNS)
        .append(" FROM ").append(database).append(".run_list FINAL WHERE ");
    f.tenant().ifPresent(v -> sql.append("tenant = ").append(ClickHouseSql.literal(v)).append(" AND "));
    if (!f.environments().isEmpty()) sql.append(TenantScope.environmentCondition(f.environments())).append(" AND ");
    sql.append("created_time >= toDateTime(").append(ClickHouseSql.literal(lo / 1_000_000_000L)).append(")")
        .append(" AND created_time <= toDateTime(").append(ClickHouseSql.literal(hi / 1_000_000_000L)).append(")")
        .append(" AND created_unix_nano >= ").append(ClickHouseSql.literal(lo))
        .append(" AND created_unix_nano < ").append(ClickHouseSql.literal(hi));
    if (after != null) {
      sql.append(" AND (created_unix_nano < ").append(ClickHouseSql.literal(after.createdNanos()))
          .append(" OR created_unix_nano = ").append(ClickHouseSql.literal(after.createdNanos()))
          .append(" AND trace_id < ").append(ClickHouseSql.literal(after.traceId())).append(")");
    }
    sql.append(" AND deleted = 0");
    if (!f.statuses().isEmpty()) sql.append(" AND status IN ").append(ClickHouseSql.literals(f.statuses()));
    f.function().ifPresent(v -> sql.append(" AND function = ").append(ClickHouseSql.literal(v)));
    f.app().ifPresent(v -> sql.append(" AND app = ").append(ClickHouseSql.literal(v)));
    f.stale().ifPresent(v -> sql.append(" AND stale = ").append(v ? 1 : 0));
    sql.append(" ORDER BY created_unix_nano DESC, trace_id DESC LIMIT ").append(ClickHouseSql.literal(limit));
    return sql.toString();
  }
}
