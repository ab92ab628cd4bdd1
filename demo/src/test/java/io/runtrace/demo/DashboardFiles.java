package io.runtrace.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The files under {@code dashboards/}, read as Grafana reads them, and the ClickHouse queries in them. */
final class DashboardFiles {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One ClickHouse query of a dashboard: a panel's target or a query variable. */
  record Query(String where, String rawSql, int format, Duration minInterval) {}

  private DashboardFiles() {}

  /** {@code dashboards/} of this checkout (tests run in the module directory, one level below it). */
  static Path dir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path d = p.resolve("dashboards");
      if (Files.isRegularFile(d.resolve("run-history.json"))) return d;
    }
    throw new IllegalStateException("no dashboards/run-history.json above " + Path.of("").toAbsolutePath());
  }

  static JsonNode json(String file) {
    return read(JSON, dir().resolve(file));
  }

  static JsonNode yaml(String file) {
    return read(YAML, dir().resolve(file));
  }

  /** Every panel target and every query variable, in file order. */
  static List<Query> queries(JsonNode dashboard) {
    List<Query> queries = new ArrayList<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (!"query".equals(v.path("type").asText())) continue;
      queries.add(new Query("variable " + v.get("name").asText(), v.path("query").path("rawSql").asText(),
          v.path("query").path("format").asInt(1), Duration.ZERO));
    }
    for (JsonNode p : dashboard.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        queries.add(new Query("panel \"" + p.get("title").asText() + "\"", t.path("rawSql").asText(),
            t.path("format").asInt(-1), interval(p.path("interval").asText(""))));
      }
    }
    return queries;
  }

  /** The panel with this title's first query. */
  static Query panel(JsonNode dashboard, String title) {
    return queries(dashboard).stream().filter(q -> q.where().equals("panel \"" + title + "\"")).findFirst()
        .orElseThrow(() -> new AssertionError("no panel titled " + title));
  }

  static Query variable(JsonNode dashboard, String name) {
    return queries(dashboard).stream().filter(q -> q.where().equals("variable " + name)).findFirst()
        .orElseThrow(() -> new AssertionError("no variable " + name));
  }

  /** A panel's min interval ({@code 30s}, {@code 1h}); zero when unset. */
  static Duration interval(String text) {
    if (text.isEmpty()) return Duration.ZERO;
    long n = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException("interval " + text);
    };
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }
}
