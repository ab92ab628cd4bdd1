package io.runtrace.clickhouse;

import java.util.Collection;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * The one place that turns values into SQL text. ClickHouse 18.16 has no server-side query
 * parameters, so every value that reaches a statement passes through here.
 */
public final class ClickHouseSql {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private ClickHouseSql() {}

  /** A quoted string literal: backslash and quote escaped, control characters as escapes. */
  public static String literal(String value) {
    if (value == null) throw new IllegalArgumentException("null is not a SQL string literal");
    StringBuilder sb = new StringBuilder(value.length() + 2).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\'' -> sb.append("\\'");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\0' -> sb.append("\\0");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) sb.append(String.format("\\x%02X", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('\'').toString();
  }

  /** A list of string literals for {@code IN (…)}; fails when empty. */
  public static String literals(Collection<String> values) {
    if (values.isEmpty()) throw new IllegalArgumentException("an IN list needs at least one value");
    StringJoiner joiner = new StringJoiner(", ", "(", ")");
    values.forEach(v -> joiner.add(literal(v)));
    return joiner.toString();
  }

  /** An integer literal; a long prints as itself and cannot inject anything. */
  public static String literal(long value) {
    return Long.toString(value);
  }

  /** Checks a database, table or column name: letters, digits, underscore, at most 64. */
  public static String identifier(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a valid ClickHouse identifier: " + name);
    }
    return name;
  }
}
