package io.runtrace.query.jaeger;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.query.auth.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a Jaeger request may read: its API key's tenant and environments. Runs are read under that
 * key only; spans of the tenant's traces are shown when they carry the tenant or no tenant yet (its
 * attributes can arrive after a trace's first spans), never when they claim another tenant. The
 * caller of an unauthenticated service reads every tenant.
 */
record JaegerScope(Optional<String> tenant, List<String> environments) {

  static JaegerScope of(Caller caller) {
    return new JaegerScope(caller.tenant(), caller.tenant().isPresent() ? caller.environments() : List.of());
  }

  /** The {@code run_list} key prefix: {@code tenant = … [AND environment …] AND }, or nothing for any tenant. */
  String runListPrefix() {
    if (tenant.isEmpty()) return "";
    StringBuilder sql = new StringBuilder("tenant = ").append(ClickHouseSql.literal(tenant.get())).append(" AND ");
    if (environments.size() == 1) {
      sql.append("environment = ").append(ClickHouseSql.literal(environments.get(0))).append(" AND ");
    } else if (!environments.isEmpty()) {
      sql.append("environment IN ").append(ClickHouseSql.literals(environments)).append(" AND ");
    }
    return sql.toString();
  }

  /** The spans condition: {@code  AND tenant IN (t, '') [AND environment IN (…, '')]}, or nothing for any tenant. */
  String spansCondition() {
    if (tenant.isEmpty()) return "";
    StringBuilder sql = new StringBuilder(" AND tenant IN ").append(ClickHouseSql.literals(List.of(tenant.get(), "")));
    if (!environments.isEmpty()) {
      List<String> envs = new ArrayList<>(environments);
      envs.add("");
      sql.append(" AND environment IN ").append(ClickHouseSql.literals(envs));
    }
    return sql.toString();
  }

  /** True when this span row is the caller's own: its tenant (and one of its environments when the key has some). */
  boolean owns(JsonNode span) {
    if (tenant.isEmpty()) return true;
    if (!tenant.get().equals(text(span, "tenant"))) return false;
    return environments.isEmpty() || environments.contains(text(span, "environment"));
  }

  static String text(JsonNode row, String field) {
    JsonNode v = row.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }
}
