package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;

/**
 * The statements behind {@code GET /v1/stats}, all over the {@code run_stats} rollup (hourly rows
 * per tenant, environment, function and status, refreshed from {@code run_list} by the stream
 * processor), never over runs: counts per function and status, duration quantiles per function
 * and overall (t-digest states merged), and counts per status per bucket: three round trips.
 */
final class SelectRunStats {
  private static final String QUANTILES = "quantilesTDigestMerge(0.5, 0.95, 0.99)(durations) AS q";
  private final String database;

  SelectRunStats(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String countsByFunction(StatsRequest r) {
    return "SELECT app, function, status, toUInt64(sum(runs)) AS runs, max(version) AS refreshed FROM "
        + table() + where(r) + " GROUP BY app, function, status";
  }

  /** Quantiles per function ({@code overall = 0}) and over all of them (one row, {@code overall = 1}), in one round trip. */
  String durations(StatsRequest r) {
    return "SELECT app, function, 0 AS overall, " + QUANTILES + " FROM " + table() + where(r) + " GROUP BY app, function"
        + " UNION ALL SELECT '' AS app, '' AS function, 1 AS overall, " + QUANTILES + " FROM " + table() + where(r);
  }

  String series(StatsRequest r) {
    String bucket = ClickHouseSql.literal(r.bucketSeconds());
    return "SELECT toUInt32(intDiv(toUInt32(hour), " + bucket + ") * " + bucket + ") AS start, status,"
        + " toUInt64(sum(runs)) AS runs FROM " + table() + where(r) + " GROUP BY start, status ORDER BY start, status";
  }

  private String table() {
    return database + ".run_stats FINAL";
  }

  private static String where(StatsRequest r) {
    StringBuilder sql = new StringBuilder(" WHERE ");
    r.tenant().ifPresent(v -> sql.append("tenant = ").append(ClickHouseSql.literal(v)).append(" AND "));
    if (!r.environments().isEmpty()) sql.append(TenantScope.environmentCondition(r.environments())).append(" AND ");
    sql.append("hour >= toDateTime(").append(ClickHouseSql.literal(r.fromHour())).append(")")
        .append(" AND hour < toDateTime(").append(ClickHouseSql.literal(r.toHour())).append(")");
    r.function().ifPresent(v -> sql.append(" AND function = ").append(ClickHouseSql.literal(v)));
    r.app().ifPresent(v -> sql.append(" AND app = ").append(ClickHouseSql.literal(v)));
    return sql.toString();
  }
}
