package io.runtrace.query.jaeger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runtrace.clickhouse.ClickHouseSql;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tag filter of a trace search. {@code tags} is a JSON object ({@code {"http.status_code":"500"}},
 * what Jaeger and Grafana send) or logfmt ({@code http.status_code=500 error=true}); each
 * {@code tag} is {@code key:value}. A span matches when it has every pair: as a span attribute or
 * a resource attribute, compared as text, or as one of the tags this API derives from the span
 * ({@code error}, {@code span.kind}, {@code otel.status_code}, {@code otel.status_description}).
 */
final class JaegerTags {
  static final int MAX_TAGS = 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  private JaegerTags() {}

  static Map<String, String> parse(List<String> tagsValues, List<String> tagValues) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String tags1 : tagsValues) {
      String t = tags1.trim();
      if (t.startsWith("{")) json(t, tags);
      else logfmt(t, tags);
    }
    for (String tag : tagValues) {
      int colon = tag.indexOf(':');
      if (colon <= 0) throw bad("tag", "malformed 'tag' parameter, expecting key:value, received: " + JaegerParameters.quoted(tag));
      tags.put(tag.substring(0, colon), tag.substring(colon + 1));
    }
    if (tags.size() > MAX_TAGS) throw bad("tags", "at most " + MAX_TAGS + " tags, was " + tags.size());
    return tags;
  }

  private static void json(String text, Map<String, String> into) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(text);
    } catch (Exception e) {
      throw bad("tags", "malformed 'tags' parameter, cannot unmarshal JSON");
    }
    if (parsed == null || !parsed.isObject()) throw bad("tags", "malformed 'tags' parameter, expecting a JSON object");
    parsed.fields().forEachRemaining(e -> {
      if (e.getValue().isContainerNode() || e.getValue().isNull()) {
        throw bad("tags", "malformed 'tags' parameter, the value of " + JaegerParameters.quoted(e.getKey()) + " must be a string");
      }
      into.put(e.getKey(), e.getValue().asText());
    });
  }

  /** {@code key=value} pairs separated by spaces; a value may be double-quoted with backslash escapes. */
  static void logfmt(String text, Map<String, String> into) {
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && text.charAt(i) == ' ') i++;
      if (i >= n) break;
      int keyStart = i;
      while (i < n && text.charAt(i) != '=' && text.charAt(i) != ' ') i++;
      String key = text.substring(keyStart, i);
      if (i >= n || text.charAt(i) != '=' || key.isEmpty()) {
        throw bad("tags", "malformed 'tags' parameter, expecting a JSON object or logfmt key=value pairs, received: "
            + JaegerParameters.quoted(text));
      }
      i++;
      StringBuilder value = new StringBuilder();
      if (i < n && text.charAt(i) == '"') {
        i++;
        while (i < n && text.charAt(i) != '"') {
          if (text.charAt(i) == '\\' && i + 1 < n) i++;
          value.append(text.charAt(i++));
        }
        if (i >= n) throw bad("tags", "malformed 'tags' parameter, an unclosed quote in " + JaegerParameters.quoted(text));
        i++;
      } else {
        while (i < n && text.charAt(i) != ' ') value.append(text.charAt(i++));
      }
      into.put(key, value.toString());
    }
  }

  /** The SQL condition one span must meet for all tags; empty for none. */
  static String condition(Map<String, String> tags) {
    StringBuilder sql = new StringBuilder();
    for (Map.Entry<String, String> t : tags.entrySet()) {
      sql.append(" AND (").append(one(t.getKey(), t.getValue())).append(")");
    }
    return sql.toString();
  }

  private static String one(String key, String value) {
    String v = ClickHouseSql.literal(value);
    String k = ClickHouseSql.literal(key);
    String attribute = "arrayExists((x, y) -> x = " + k + " AND y = " + v + ", attr_keys, attr_values)"
        + " OR arrayExists((x, y) -> x = " + k + " AND y = " + v + ", resource_keys, resource_values)";
    String derived = switch (key) {
      case "error" -> value.equals("true") ? "status_code = 'error'" : value.equals("false") ? "status_code != 'error'" : null;
      case "span.kind" -> "kind = " + v;
      case "otel.status_code" -> "upper(status_code) = " + v;
      case "otel.status_description" -> "status_message = " + v;
      default -> null;
    };
    return derived == null ? attribute : derived + " OR " + attribute;
  }

  private static JaegerException bad(String parameter, String message) {
    return JaegerException.badRequest("unable to parse param '" + parameter + "': " + message);
  }
}
