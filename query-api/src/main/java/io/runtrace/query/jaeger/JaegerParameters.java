package io.runtrace.query.jaeger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Jaeger request's query string, checked against the names its endpoint takes. Empty values count
 * as absent, as Jaeger reads them. Unknown names are a 400 so that a typo cannot widen a search;
 * only {@code tag} may repeat ({@code tag=k:v&tag=k2:v2}).
 */
final class JaegerParameters {
  /** Longest accepted value, in characters; {@code tags} holds a JSON object, so it may be longer. */
  static final int MAX_VALUE_LENGTH = 256;
  static final int MAX_TAGS_LENGTH = 4096;
  /** Below this a time cannot be microseconds of a real span (it would be before 1973): it is read as milliseconds. */
  static final long MILLIS_BELOW = 100_000_000_000_000L;

  private final Map<String, List<String>> values;

  private JaegerParameters(Map<String, List<String>> values) {
    this.values = values;
  }

  static JaegerParameters parse(String rawQuery, Set<String> allowed) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (!allowed.contains(name)) {
          throw JaegerException.badRequest("unknown parameter " + quoted(name) + "; accepted: "
              + String.join(", ", new TreeSet<>(allowed)));
        }
        int max = name.equals("tags") || name.equals("tag") ? MAX_TAGS_LENGTH : MAX_VALUE_LENGTH;
        if (value.length() > max) {
          throw JaegerException.badRequest("unable to parse param '" + name + "': at most " + max + " characters, was "
              + value.length());
        }
        if (value.isEmpty()) continue;
        List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
        if (!list.isEmpty() && !name.equals("tag")) {
          throw JaegerException.badRequest("unable to parse param '" + name + "': given more than once");
        }
        list.add(value);
      }
    }
    return new JaegerParameters(values);
  }

  Optional<String> text(String name) {
    List<String> v = values.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(0));
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /** An integer in {@code 1..max}; {@code fallback} when absent. */
  int limit(String name, int fallback, int max) {
    Optional<String> v = text(name);
    if (v.isEmpty()) return fallback;
    long parsed;
    try {
      parsed = Long.parseLong(v.get().trim());
    } catch (NumberFormatException e) {
      throw JaegerException.badRequest("unable to parse param '" + name + "': " + quoted(v.get()) + " is not an integer");
    }
    if (parsed < 1 || parsed > max) {
      throw JaegerException.badRequest("unable to parse param '" + name + "': must be 1.." + max + ", was " + parsed);
    }
    return (int) parsed;
  }

  /**
   * A time in unix nanoseconds from unix microseconds, as Jaeger takes {@code start} and
   * {@code end}; a value below {@link #MILLIS_BELOW} is milliseconds (Grafana's Jaeger data source
   * sends those for a trace by id). Empty when absent.
   */
  Optional<Long> timeNanos(String name) {
    Optional<String> v = text(name);
    if (v.isEmpty()) return Optional.empty();
    long parsed;
    try {
      parsed = Long.parseLong(v.get().trim());
    } catch (NumberFormatException e) {
      throw JaegerException.badRequest("unable to parse param '" + name + "': " + quoted(v.get())
          + " is not unix microseconds");
    }
    if (parsed < 0) throw JaegerException.badRequest("unable to parse param '" + name + "': must not be negative");
    long micros = parsed < MILLIS_BELOW ? parsed * 1_000 : parsed;
    if (micros > 9_000_000_000_000_000L) {
      throw JaegerException.badRequest("unable to parse param '" + name + "': " + parsed + " is after the year 2255");
    }
    return Optional.of(micros * 1_000);
  }

  /** Percent-decoding of a path segment: unlike a query string, {@code +} is a plus there. */
  static String decodePath(String segment) {
    return decode(segment.replace("+", "%2B"));
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw JaegerException.badRequest("malformed percent-encoding in the request");
    }
  }

  // At most 64 characters echoed, so an error cannot reflect a large payload.
  static String quoted(String s) {
    String cut = s.length() <= 64 ? s : s.substring(0, 64) + "…";
    return "\"" + cut + "\"";
  }
}
