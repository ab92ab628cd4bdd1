package io.runtrace.query;

import io.runtrace.model.RunStatus;
import io.runtrace.query.auth.Caller;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The parameters of {@code GET /v1/runs}, scoped to the caller's tenant; empty optionals and an
 * empty {@code environments} match everything.
 */
record RunFilter(
    Optional<String> tenant,
    List<String> environments,
    List<String> statuses,
    Optional<String> function,
    Optional<String> app,
    Optional<Boolean> stale,
    TimeWindow window,
    Optional<RunCursor> cursor,
    int limit) {

  static final Set<String> PARAMETERS = Set.of("limit", "tenant", "environment", "status", "function", "app",
      "stale", "from", "to", "cursor");

  /** Reads and validates the query string; {@code status} may list several, comma-separated. */
  static RunFilter parse(String rawQuery, RunListSettings settings, Clock clock, Caller caller) {
    QueryParameters p = QueryParameters.parse(rawQuery, PARAMETERS);
    TenantScope scope = TenantScope.of(caller, p);
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
    Optional<Boolean> stale = p.text("stale").map(v -> switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.badRequest("stale must be true or false, was " + QueryParameters.quoted(v));
    });
    RunFilter noCursor = new RunFilter(scope.tenant(), scope.environments(), List.copyOf(statuses),
        p.text("function"), p.text("app"), stale,
        TimeWindow.parse(p, clock, settings.defaultWindow(), settings.maxWindow()), Optional.empty(),
        p.intInRange("limit", 1, settings.maxPageSize(), settings.defaultPageSize()));
    return p.text("cursor").map(c -> noCursor.withCursor(RunCursor.decode(c, noCursor.identity())))
        .orElse(noCursor);
  }

  /** What a cursor is bound to: every filter, not the window or the page size. */
  String identity() {
    return String.join("\u0000", tenant.orElse(""), String.join(",", environments), String.join(",", statuses),
        function.orElse(""), app.orElse(""), stale.map(String::valueOf).orElse(""));
  }

  RunFilter withCursor(RunCursor c) {
    return new RunFilter(tenant, environments, statuses, function, app, stale, window, Optional.of(c), limit);
  }

  private static String wireNames() {
    List<String> names = new ArrayList<>();
    for (RunStatus s : RunStatus.values()) names.add(s.wireName());
    return String.join(", ", names);
  }

  /** The list's bounds: page sizes and windows, from the service's settings. */
  record RunListSettings(int defaultPageSize, int maxPageSize, Duration defaultWindow, Duration maxWindow) {}
}
