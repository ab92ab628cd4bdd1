package io.runtrace.query;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request's query string, checked against the names a route accepts. Empty values count as
 * absent; unknown names are rejected so that a typo ({@code stauts=failed}) cannot silently
 * widen a query.
 */
final class QueryParameters {
  /** Longest accepted parameter value, in characters. */
  static final int MAX_VALUE_LENGTH = 256;
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Map<String, String> values;

  private QueryParameters(Map<String, String> values) {
    this.values = values;
  }

  /** Parses a raw (still percent-encoded) query string; null means none. */
  static QueryParameters parse(String rawQuery, Set<String> allowed) {
    Map<String, String> values = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (!allowed.contains(name)) {
          throw ApiException.badRequest("unknown parameter " + quoted(name) + "; accepted: " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        if (value.length() > MAX_VALUE_LENGTH) {
          throw ApiException.badRequest(name + " must be at most " + MAX_VALUE_LENGTH + " characters, was " + value.length());
        }
        if (values.containsKey(name)) throw ApiException.badRequest(name + " given more than once");
        values.put(name, value);
      }
    }
    return new QueryParameters(values);
  }

  /** The value, absent when missing or empty. */
  Optional<String> text(String name) {
    String v = values.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** An integer in {@code min..max}; {@code fallback} when absent. */
  int intInRange(String name, int min, int max, int fallback) {
    Optional<String> v = text(name);
    if (v.isEmpty()) return fallback;
    int parsed;
    try {
      parsed = Integer.parseInt(v.get().trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be " + min + ".." + max + ", was " + quoted(v.get()));
    }
    if (parsed < min || parsed > max) {
      throw ApiException.badRequest(name + " must be " + min + ".." + max + ", was " + parsed);
    }
    return parsed;
  }

  /** Checks a run id taken from the path: {@code [A-Za-z0-9._:-]{1,128}}. */
  static String runId(String segment) {
    if (!RUN_ID.matcher(segment).matches()) {
      throw ApiException.badRequest("runId must match [A-Za-z0-9._:-]{1,128}, was " + quoted(segment));
    }
    return segment;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("malformed percent-encoding in the query string");
    }
  }

  // Echo at most 64 characters so an error message cannot be used to reflect large payloads.
  static String quoted(String s) {
    String cut = s.length() <= 64 ? s : s.substring(0, 64) + "…";
    return "\"" + cut + "\"";
  }
}
