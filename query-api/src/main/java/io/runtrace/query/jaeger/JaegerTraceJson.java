package io.runtrace.query.jaeger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code spans} rows as Jaeger's trace JSON, the way Jaeger shows OpenTelemetry spans: times and
 * durations in microseconds; the parent as a {@code CHILD_OF} reference; span attributes as tags
 * (as strings: the table keeps their text), then {@code span.kind}, {@code otel.status_code},
 * {@code otel.status_description} and {@code error=true} derived from the span; events as logs
 * (the name as the field {@code event}); the resource as the process, one per distinct service
 * and resource attributes, {@code p1}, {@code p2}, … in order of first span.
 */
final class JaegerTraceJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** The service name OpenTelemetry gives spans whose resource has none. */
  static final String UNKNOWN_SERVICE = "unknown_service";

  private JaegerTraceJson() {}

  static ObjectNode trace(String traceId, List<JsonNode> rows, String warning) {
    ObjectNode trace = F.objectNode().put("traceID", traceId);
    ArrayNode spans = trace.putArray("spans");
    Map<String, String> processIds = new LinkedHashMap<>();
    ObjectNode processes = F.objectNode();
    for (JsonNode row : rows) {
      ObjectNode process = process(row);
      String key = process.toString();
      String processId = processIds.get(key);
      if (processId == null) {
        processId = "p" + (processIds.size() + 1);
        processIds.put(key, processId);
        processes.set(processId, process);
      }
      spans.add(span(traceId, row, processId));
    }
    trace.set("processes", processes);
    if (warning == null) trace.putNull("warnings");
    else trace.putArray("warnings").add(warning);
    return trace;
  }

  static ObjectNode span(String traceId, JsonNode row, String processId) {
    ObjectNode span = F.objectNode();
    span.put("traceID", traceId);
    span.put("spanID", JaegerScope.text(row, "span_id"));
    span.put("operationName", JaegerScope.text(row, "name"));
    ArrayNode references = span.putArray("references");
    String parent = JaegerScope.text(row, "parent_span_id");
    if (!parent.isEmpty()) references.addObject().put("refType", "CHILD_OF").put("traceID", traceId).put("spanID", parent);
    long start = longValue(row, "start_unix_nano");
    long end = longValue(row, "end_unix_nano");
    span.put("startTime", start / 1_000);
    span.put("duration", end > 0 && end >= start ? (end - start) / 1_000 : 0);
    span.set("tags", tags(row));
    span.set("logs", logs(JaegerScope.text(row, "events")));
    span.put("processID", processId);
    span.putNull("warnings");
    // Exported spans were sampled; the table does not keep the W3C flags.
    span.put("flags", 1);
    return span;
  }

  static ArrayNode tags(JsonNode row) {
    ArrayNode tags = pairs(row.get("attr_keys"), row.get("attr_values"), null);
    String kind = JaegerScope.text(row, "kind");
    if (!kind.isEmpty() && !kind.equals("unspecified")) tag(tags, "span.kind", "string").put("value", kind);
    String status = JaegerScope.text(row, "status_code");
    if (status.equals("ok") || status.equals("error")) {
      tag(tags, "otel.status_code", "string").put("value", status.toUpperCase(java.util.Locale.ROOT));
    }
    String message = JaegerScope.text(row, "status_message");
    if (!message.isEmpty()) tag(tags, "otel.status_description", "string").put("value", message);
    if (status.equals("error")) tag(tags, "error", "bool").put("value", true);
    return tags;
  }

  static ObjectNode process(JsonNode row) {
    String service = JaegerScope.text(row, "service");
    ObjectNode process = F.objectNode().put("serviceName", service.isEmpty() ? UNKNOWN_SERVICE : service);
    process.set("tags", pairs(row.get("resource_keys"), row.get("resource_values"), "service.name"));
    return process;
  }

  /** Events {@code [{"name","time_unix_nano","attributes":{…}}]} as Jaeger logs; [] when unreadable. */
  static ArrayNode logs(String events) {
    ArrayNode logs = F.arrayNode();
    JsonNode parsed;
    try {
      parsed = events.isBlank() ? null : JSON.readTree(events);
    } catch (Exception e) {
      // Bad events text must not cost the caller the span: show no logs.
      return logs;
    }
    if (parsed == null || !parsed.isArray()) return logs;
    for (JsonNode event : parsed) {
      ObjectNode log = logs.addObject().put("timestamp", longValue(event, "time_unix_nano") / 1_000);
      ArrayNode fields = log.putArray("fields");
      tag(fields, "event", "string").put("value", JaegerScope.text(event, "name"));
      JsonNode attributes = event.get("attributes");
      if (attributes != null && attributes.isObject()) {
        attributes.fields().forEachRemaining(a -> typed(fields, a.getKey(), a.getValue()));
      }
    }
    return logs;
  }

  private static void typed(ArrayNode into, String key, JsonNode v) {
    if (v.isBoolean()) tag(into, key, "bool").put("value", v.booleanValue());
    else if (v.isIntegralNumber() && v.canConvertToLong()) tag(into, key, "int64").put("value", v.longValue());
    else if (v.isNumber()) tag(into, key, "float64").put("value", v.doubleValue());
    else if (v.isTextual()) tag(into, key, "string").put("value", v.textValue());
    else tag(into, key, "string").put("value", v.toString());
  }

  private static ArrayNode pairs(JsonNode keys, JsonNode values, String skip) {
    ArrayNode tags = F.arrayNode();
    if (keys == null || values == null || !keys.isArray() || !values.isArray()) return tags;
    int n = Math.min(keys.size(), values.size());
    for (int i = 0; i < n; i++) {
      String key = keys.get(i).asText();
      if (!key.equals(skip)) tag(tags, key, "string").put("value", values.get(i).asText());
    }
    return tags;
  }

  private static ObjectNode tag(ArrayNode into, String key, String type) {
    return into.addObject().put("key", key).put("type", type);
  }

  /** A UInt64 column or number; ClickHouse quotes 64-bit integers as JSON strings. 0 when absent or bad. */
  static long longValue(JsonNode row, String field) {
    JsonNode v = row.get(field);
    if (v == null || v.isNull()) return 0;
    if (v.isNumber()) return v.asLong();
    try {
      return Long.parseUnsignedLong(v.asText());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
