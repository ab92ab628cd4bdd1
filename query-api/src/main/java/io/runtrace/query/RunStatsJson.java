package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.model.RunStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/stats} from the rows of {@link SelectRunStats}. The failure rate is
 * (failed + timed out) / every run that ended, null when none ended; a quantile is null when no
 * run in its group ended.
 */
final class RunStatsJson {
  private RunStatsJson() {}

  static ObjectNode build(StatsRequest r, List<JsonNode> counts, List<JsonNode> durations, List<JsonNode> series) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode window = body.putObject("window");
    window.put("from", Rows.iso(Instant.ofEpochSecond(r.fromHour())));
    window.put("to", Rows.iso(Instant.ofEpochSecond(r.toHour())));
    window.put("bucket_seconds", r.bucketSeconds());

    Map<String, Map<String, Long>> byFunction = new LinkedHashMap<>();
    Map<String, Long> overall = new LinkedHashMap<>();
    for (JsonNode c : counts) {
      long n = Rows.longValue(c, "runs");
      if (n == 0) continue;
      String status = Rows.text(c, "status");
      byFunction.computeIfAbsent(key(c), k -> new LinkedHashMap<>()).merge(status, n, Long::sum);
      overall.merge(status, n, Long::sum);
    }
    Map<String, JsonNode> quantiles = new LinkedHashMap<>();
    JsonNode all = null;
    for (JsonNode d : durations) {
      if (Rows.longValue(d, "overall") == 1) all = d.get("q");
      else quantiles.put(key(d), d.get("q"));
    }
    summary(body, overall, all);
    var functions = body.putArray("functions");
    byFunction.forEach((key, statuses) -> {
      ObjectNode f = functions.addObject();
      int cut = key.indexOf('\u0000');
      f.put("app", key.substring(0, cut));
      f.put("function", key.substring(cut + 1));
      summary(f, statuses, quantiles.get(key));
    });
    var points = body.putArray("series");
    ObjectNode point = null;
    long start = -1;
    for (JsonNode s : series) {
      long n = Rows.longValue(s, "runs");
      if (n == 0) continue;
      if (Rows.longValue(s, "start") != start) {
        start = Rows.longValue(s, "start");
        point = points.addObject();
        point.put("start", Rows.iso(Instant.ofEpochSecond(start)));
        point.putObject("by_status");
      }
      ((ObjectNode) point.get("by_status")).put(Rows.text(s, "status"), n);
    }
    return body;
  }

  /** Latest refresh of the rollup rows read, unix nanoseconds; 0 when none. */
  static long refreshed(List<JsonNode> counts) {
    long latest = 0;
    for (JsonNode c : counts) latest = Math.max(latest, Rows.longValue(c, "refreshed"));
    return latest;
  }

  private static void summary(ObjectNode target, Map<String, Long> byStatus, JsonNode q) {
    long runs = 0;
    long ended = 0;
    long failed = 0;
    ObjectNode statuses = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, Long> e : byStatus.entrySet()) {
      runs += e.getValue();
      statuses.put(e.getKey(), e.getValue());
      RunStatus status = RunStatus.parse(e.getKey());
      if (status != null && status.terminal()) ended += e.getValue();
      if (status == RunStatus.FAILED || status == RunStatus.TIMED_OUT) failed += e.getValue();
    }
    target.put("runs", runs);
    target.set("by_status", statuses);
    if (ended == 0) target.putNull("failure_rate");
    else target.put("failure_rate", Math.round(1_000_000.0 * failed / ended) / 1_000_000.0);
    ObjectNode d = target.putObject("duration_ms");
    String[] names = {"p50", "p95", "p99"};
    for (int i = 0; i < names.length; i++) {
      JsonNode v = q == null || !q.isArray() || q.size() <= i ? null : q.get(i);
      if (v == null || v.isNull() || !v.isNumber()) d.putNull(names[i]);
      else d.put(names[i], Math.round(v.asDouble() * 1000) / 1000.0);
    }
  }

  private static String key(JsonNode row) {
    return Rows.text(row, "app") + '\u0000' + Rows.text(row, "function");
  }
}
