package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;
import java.util.Optional;

/**
 * One run by id, optionally scoped to a tenant and environment. Asks for two rows so the caller
 * can tell "one run" from "the same id in several tenants".
 */
final class SelectRunById {
  private final String database;

  SelectRunById(String database) {
    this.database = ClickHouseSql.identifier(database);
  }

  String sql(String runId, Optional<String> tenant, Optional<String> environment) {
    StringBuilder sql = new StringBuilder()
        .append("SELECT ").append(RunJson.COLUMNS)
        .append(" FROM ").append(database).append(".runs FINAL")
        .append(" WHERE run_id = ").append(ClickHouseSql.literal(runId));
    tenant.ifPresent(v -> sql.append(" AND tenant = ").append(ClickHouseSql.literal(v)));
    environment.ifPresent(v -> sql.append(" AND environment = ").append(ClickHouseSql.literal(v)));
    sql.append(" ORDER BY updated_unix_nano DESC, tenant, environment LIMIT 2");
    return sql.toString();
  }
}
