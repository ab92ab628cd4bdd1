package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;

/**
 * Runs newest first, filtered by tenant, environment, status, function and app. Reads
 * {@code runs FINAL} so that only each run's highest version is returned.
 */
final class SelectRuns {
  private final String database;

  SelectRuns(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(RunFilter filter) {
    StringBuilder sql = new StringBuilder()
        .append("SELECT ").append(RunJson.COLUMNS)
        .append(" FROM ").append(database).append(".runs FINAL WHERE 1 = 1");
    filter.tenant().ifPresent(v -> sql.append(" AND tenant = ").append(ClickHouseSql.literal(v)));
    filter.environment().ifPresent(v -> sql.append(" AND environment = ").append(ClickHouseSql.literal(v)));
    if (!filter.statuses().isEmpty()) {
      sql.append(" AND status IN ").append(ClickHouseSql.literals(filter.statuses()));
    }
    filter.function().ifPresent(v -> sql.append(" AND function = ").append(ClickHouseSql.literal(v)));
    filter.app().ifPresent(v -> sql.append(" AND app = ").append(ClickHouseSql.literal(v)));
    // A run whose queued span has not arrived yet sorts by when the processor first saw it,
    // rather than sinking to the end of the list.
    sql.append(" ORDER BY if(queued_unix_nano > 0, queued_unix_nano, created_unix_nano) DESC, run_id DESC")
        .append(" LIMIT ").append(ClickHouseSql.literal(filter.limit()));
    return sql.toString();
  }
}
