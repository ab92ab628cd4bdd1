package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;
import java.util.List;
import java.util.Optional;

/**
 * One run by id, through its key: {@code run_ids} gives the run's (tenant, environment,
 * first-seen time, trace id), and {@code run_list} is read at exactly that key. A {@code run_ids}
 * row under a tenant the run no longer has finds a tombstone there, so it finds nothing.
 */
final class SelectRunById {
  /** Keys read for one id at most: one per tenant and environment it was ever seen under. */
  static final int MAX_CANDIDATES = 10;
  private final String database;

  SelectRunById(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  /** The keys of the run with this id, as {@code tenant, environment, trace_id, created_unix_nano}. */
  String keys(String runId, Optional<String> tenant, List<String> environments) {
    StringBuilder sql = new StringBuilder("SELECT tenant, environment, trace_id, created_unix_nano FROM ")
        .append(database).append(".run_ids FINAL WHERE ");
    tenant.ifPresent(v -> sql.append("tenant = ").append(ClickHouseSql.literal(v)).append(" AND "));
    sql.append("run_id = ").append(ClickHouseSql.literal(runId));
    if (!environments.isEmpty()) sql.append(" AND ").append(TenantScope.environmentCondition(environments));
    return sql.append(" LIMIT ").append(MAX_CANDIDATES).toString();
  }

  /** The run at one key, unless that key holds a tombstone. */
  String run(String tenant, String environment, long createdNanos, String traceId) {
    return "SELECT " + RunJson.COLUMNS + " FROM " + database + ".run_list FINAL"
        + " WHERE tenant = " + ClickHouseSql.literal(tenant)
        + " AND environment = " + ClickHouseSql.literal(environment)
        + " AND created_time = toDateTime(" + ClickHouseSql.literal(createdNanos / 1_000_000_000L) + ")"
        + " AND created_unix_nano = " + ClickHouseSql.literal(createdNanos)
        + " AND trace_id = " + ClickHouseSql.literal(traceId)
        + " AND deleted = 0 LIMIT 1";
  }
}
