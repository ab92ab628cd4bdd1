package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.query.auth.Caller;
import java.util.List;
import java.util.Optional;

/**
 * What one request may read: its API key's tenant, and the environments asked for within the
 * key's. A {@code tenant} or {@code environment} parameter outside the key is a 403, not an
 * empty answer, so a caller learns that it asked for something it cannot have. Only the caller of
 * an unauthenticated service has no tenant; its parameters are then plain filters.
 */
record TenantScope(Optional<String> tenant, List<String> environments) {

  static TenantScope of(Caller caller, QueryParameters p) {
    Optional<String> tenant = p.text("tenant");
    Optional<String> environment = p.text("environment");
    if (caller.tenant().isPresent()) {
      if (tenant.isPresent() && !tenant.equals(caller.tenant())) {
        throw forbidden("tenant " + QueryParameters.quoted(tenant.get()) + " is not the tenant of this API key");
      }
      tenant = caller.tenant();
    }
    List<String> allowed = caller.environments();
    if (environment.isPresent()) {
      if (!allowed.isEmpty() && !allowed.contains(environment.get())) {
        throw forbidden("environment " + QueryParameters.quoted(environment.get()) + " is not one this API key may read");
      }
      return new TenantScope(tenant, List.of(environment.get()));
    }
    return new TenantScope(tenant, allowed);
  }

  /** {@code environment = 'x'} for one, {@code environment IN (…)} for several; empty for any. */
  static String environmentCondition(List<String> environments) {
    return environments.size() == 1
        ? "environment = " + ClickHouseSql.literal(environments.get(0))
        : "environment IN " + ClickHouseSql.literals(environments);
  }

  static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }
}
