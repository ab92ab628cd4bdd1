package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Maps a {@code spans} row to the span JSON of the API (without {@code children}). */
final class SpanJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The columns {@link #toJson(JsonNode)} reads. */
  static final String COLUMNS = "span_id, parent_span_id, name, kind, service, step, attempt,"
      + " start_unix_nano, end_unix_nano, status_code, status_message, attr_keys, attr_values, events, trimmed";

  private SpanJson() {}

  static ObjectNode toJson(JsonNode row) {
    ObjectNode span = JsonNodeFactory.instance.objectNode();
    span.put("span_id", Rows.text(row, "span_id"));
    String parent = Rows.text(row, "parent_span_id");
    span.put("parent_span_id", parent.isEmpty() ? null : parent);
    span.put("name", Rows.text(row, "name"));
    span.put("kind", Rows.text(row, "kind"));
    span.put("service", Rows.text(row, "service"));
    span.put("step", Rows.text(row, "step"));
    span.put("attempt", Rows.longValue(row, "attempt"));
    long start = Rows.longValue(row, "start_unix_nano");
    long end = Rows.longValue(row, "end_unix_nano");
    span.put("start_time", Rows.isoOrNull(start));
    span.put("end_time", Rows.isoOrNull(end));
    if (start > 0 && end >= start) {
      span.put("duration_ms", Rows.millisBetween(start, end));
    } else {
      span.putNull("duration_ms");
    }
    span.put("status_code", Rows.text(row, "status_code"));
    span.put("status_message", Rows.text(row, "status_message"));
    span.set("attributes", attributes(row.get("attr_keys"), row.get("attr_values")));
    span.set("events", events(Rows.text(row, "events")));
    span.put("trimmed", Rows.longValue(row, "trimmed") != 0);
    return span;
  }

  /** Pairs keys with values by position; extra keys or values (a malformed row) are ignored. */
  static ObjectNode attributes(JsonNode keys, JsonNode values) {
    ObjectNode attributes = JsonNodeFactory.instance.objectNode();
    if (keys == null || values == null || !keys.isArray() || !values.isArray()) return attributes;
    int n = Math.min(keys.size(), values.size());
    for (int i = 0; i < n; i++) attributes.put(keys.get(i).asText(), values.get(i).asText());
    return attributes;
  }

  /** The {@code events} column as a JSON array; [] when it is empty or not an array. */
  static ArrayNode events(String text) {
    if (!text.isBlank()) {
      try {
        JsonNode parsed = JSON.readTree(text);
        if (parsed != null && parsed.isArray()) return (ArrayNode) parsed;
      } catch (Exception e) {
        // Bad events text must not cost the caller the span: show none.
      }
    }
    return JsonNodeFactory.instance.arrayNode();
  }
}
