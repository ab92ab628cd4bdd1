package io.runtrace.demo;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Grafana does to a ClickHouse panel's {@code rawSql} before ClickHouse sees it, in the two
 * steps Grafana takes: the frontend replaces template variables (Grafana's TemplateSrv with the
 * plugin's default format, {@code CHDatasource.applyTemplateVariables}), then the plugin's
 * backend expands its macros. Only the five macros the dashboards may use are implemented; any
 * other macro is an error, so a query using one fails its test.
 *
 * <p>Macro texts are those of grafana/clickhouse-datasource v4.20.0, {@code pkg/macros/macros.go}
 * (unchanged at commit 1d04063a of 2026-08-20): {@code timeToDateTime} is
 * {@code toDateTime(<unix seconds>)}, {@code timeToDate} is {@code toDate('YYYY-MM-DD')},
 * {@code $__interval_s} is the interval in whole seconds, at least 1. Variable formats are those
 * of Grafana's {@code formatRegistry.ts} ({@code sqlstring}: each value in single quotes, quotes
 * doubled, joined by commas) and the plugin's default ({@code CHDatasource.format}: a list as
 * {@code 'a','b'} without escaping, a single value as it is). "All" without a custom all value is
 * the list of every option, as Grafana's {@code getAllValue} gives it.
 */
final class GrafanaMacros {
  /** The macros the dashboards may use: their expansions run on ClickHouse 18.16 and 26.7. */
  static final Set<String> ALLOWED = Set.of("timeFilter", "dateFilter", "fromTime", "toTime", "interval_s");
  /** Grafana's value for "All" in a variable's current value. */
  static final String ALL = "$__all";

  // Grafana's variable regex (TemplateSrv): $var, [[var:fmt]], ${var}, ${var.field:fmt}.
  private static final Pattern VARIABLE = Pattern.compile(
      "\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?]]|\\$\\{(\\w+)(?:\\.([^:^}]+))?(?::([^}]+))?}");
  private static final Pattern MACRO = Pattern.compile("\\$__(\\w+)");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private GrafanaMacros() {}

  /** A query variable: the options its query returned, and the current selection ({@link #ALL} for All). */
  record Variable(List<String> options, List<String> selected, boolean multi) {
    static Variable single(String value) {
      return new Variable(List.of(value), List.of(value), false);
    }

    static Variable all(List<String> options) {
      return new Variable(List.copyOf(options), List.of(ALL), true);
    }

    static Variable of(List<String> options, List<String> selected) {
      return new Variable(List.copyOf(options), List.copyOf(selected), true);
    }

    /** The value Grafana formats: a string for a single-value variable, else a list; All is every option. */
    Object value() {
      if (selected.contains(ALL)) return options;
      return multi ? selected : selected.get(0);
    }
  }

  /** Both steps: variables (frontend), then macros (plugin backend). */
  static String expand(String rawSql, Map<String, Variable> variables, Instant from, Instant to, Duration interval) {
    return expandMacros(replaceVariables(rawSql, variables), from, to, interval);
  }

  /** Grafana's template variable replacement; names that are not variables (such as macros) stay as they are. */
  static String replaceVariables(String sql, Map<String, Variable> variables) {
    Matcher m = VARIABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = first(m.group(1), m.group(2), m.group(4));
      String format = first(m.group(3), m.group(6));
      Variable v = variables.get(name);
      String replacement = v == null ? m.group() : format(v.value(), format);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  /** The plugin's expansion of the allowed macros; fails on any other macro or a wrong argument count. */
  static String expandMacros(String sql, Instant from, Instant to, Duration interval) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    Matcher m = MACRO.matcher(sql);
    while (m.find(i)) {
      out.append(sql, i, m.start());
      String name = m.group(1);
      int end = m.end();
      List<String> args = List.of();
      if (end < sql.length() && sql.charAt(end) == '(') {
        int close = closingParen(sql, end);
        args = splitArgs(sql.substring(end + 1, close));
        end = close + 1;
      }
      out.append(expandOne(name, args, from, to, interval));
      i = end;
    }
    return out.append(sql.substring(i)).toString();
  }

  /** The macro names a query uses. */
  static Set<String> macrosIn(String sql) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = MACRO.matcher(sql);
    while (m.find()) names.add(m.group(1));
    return names;
  }

  /** The template variables a query references, with the format each is used in ("" for none). */
  static List<String[]> variablesIn(String sql) {
    List<String[]> refs = new ArrayList<>();
    Matcher m = VARIABLE.matcher(sql);
    while (m.find()) {
      String name = first(m.group(1), m.group(2), m.group(4));
      if (name.startsWith("__")) continue;
      String format = first(m.group(3), m.group(6));
      refs.add(new String[] {name, format == null ? "" : format});
    }
    return refs;
  }

  private static String expandOne(String name, List<String> args, Instant from, Instant to, Duration interval) {
    switch (name) {
      case "fromTime":
        return dateTime(from);
      case "toTime":
        return dateTime(to);
      case "interval_s":
        return Long.toString(Math.max(interval.getSeconds(), 1));
      case "timeFilter":
        String col = oneArg(name, args);
        return col + " >= " + dateTime(from) + " AND " + col + " <= " + dateTime(to);
      case "dateFilter":
        String dcol = oneArg(name, args);
        return dcol + " >= " + date(from) + " AND " + dcol + " <= " + date(to);
      default:
        throw new IllegalArgumentException("$__" + name + " is not one of the macros both engines run: " + ALLOWED);
    }
  }

  private static String dateTime(Instant t) {
    return "toDateTime(" + t.getEpochSecond() + ")";
  }

  // The plugin formats the date in the Go time's location; Grafana's server runs in UTC here.
  private static String date(Instant t) {
    return "toDate('" + DATE.format(t) + "')";
  }

  private static String oneArg(String name, List<String> args) {
    if (args.size() != 1) {
      throw new IllegalArgumentException("$__" + name + " expected 1 argument(s), received " + args.size());
    }
    return args.get(0);
  }

  private static String format(Object value, String format) {
    if (format == null) {
      // CHDatasource.format: a list as 'a','b' (not escaped), a single value as it is.
      return value instanceof List<?> l ? "'" + String.join("','", strings(l)) + "'" : (String) value;
    }
    switch (format) {
      case "sqlstring":
        if (value instanceof List<?> l) {
          return String.join(",", strings(l).stream().map(GrafanaMacros::sqlString).toList());
        }
        return sqlString((String) value);
      case "raw":
        return value instanceof List<?> l ? String.join(",", strings(l)) : (String) value;
      default:
        throw new IllegalArgumentException("variable format " + format + " is not implemented here");
    }
  }

  private static String sqlString(String v) {
    return "'" + v.replace("'", "''") + "'";
  }

  private static List<String> strings(List<?> values) {
    return values.stream().map(String::valueOf).toList();
  }

  private static int closingParen(String sql, int open) {
    int depth = 0;
    for (int i = open; i < sql.length(); i++) {
      if (sql.charAt(i) == '(') depth++;
      if (sql.charAt(i) == ')' && --depth == 0) return i;
    }
    throw new IllegalArgumentException("unbalanced parentheses after a macro at " + open + ": " + sql);
  }

  private static List<String> splitArgs(String inner) {
    List<String> args = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c == '(') depth++;
      if (c == ')') depth--;
      if (c == ',' && depth == 0) {
        args.add(inner.substring(start, i).trim());
        start = i + 1;
      }
    }
    if (!inner.isBlank()) args.add(inner.substring(start).trim());
    return args;
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) if (v != null) return v;
    return null;
  }
}
