package io.runtrace.query;

import io.runtrace.model.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The filters of {@code GET /v1/runs}; empty optionals match everything. */
record RunFilter(
    Optional<String> tenant,
    Optional<String> environment,
    List<String> statuses,
    Optional<String> function,
    Optional<String> app,
    int limit) {

  static final Set<String> PARAMETERS = Set.of("limit", "tenant", "environment", "status", "function", "app");

  /** Reads and validates the query string; {@code status} may list several, comma-separated. */
  static RunFilter parse(String rawQuery, int defaultLimit, int maxLimit) {
    QueryParameters p = QueryParameters.parse(rawQuery, PARAMETERS);
    List<String> statuses = new ArrayList<>();
    p.text("status").ifPresent(list -> {
      for (String s : list.split(",")) {
        RunStatus status = RunStatus.parse(s);
        if (status == null) {
          throw ApiException.badRequest("status must be one of " + wireNames() + ", was " + QueryParameters.quoted(s));
        }
        if (!statuses.contains(status.wireName())) statuses.add(status.wireName());
      }
    });
    return new RunFilter(p.text("tenant"), p.text("environment"), List.copyOf(statuses),
        p.text("function"), p.text("app"), p.intInRange("limit", 1, maxLimit, defaultLimit));
  }

  private static String wireNames() {
    List<String> names = new ArrayList<>();
    for (RunStatus s : RunStatus.values()) names.add(s.wireName());
    return String.join(", ", names);
  }
}
