package io.runtrace.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server's release, as {@code SELECT version()} reports it ({@code 18.16.1}, {@code 26.7.2.1}). */
public record ClickHouseVersion(int major, int minor, String text) implements Comparable<ClickHouseVersion> {
  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+).*");

  /** Parses {@code major.minor[.…]}; fails naming the text. */
  public static ClickHouseVersion parse(String text) {
    Matcher m = VERSION.matcher(text == null ? "" : text.trim());
    if (!m.matches()) throw new IllegalArgumentException("not a ClickHouse version: " + text);
    return new ClickHouseVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), text.trim());
  }

  /** True when this release is {@code major.minor} or later. */
  public boolean atLeast(int major, int minor) {
    return this.major > major || (this.major == major && this.minor >= minor);
  }

  @Override
  public int compareTo(ClickHouseVersion other) {
    return this.major != other.major ? Integer.compare(this.major, other.major) : Integer.compare(this.minor, other.minor);
  }

  @Override
  public String toString() {
    return text;
  }
}
