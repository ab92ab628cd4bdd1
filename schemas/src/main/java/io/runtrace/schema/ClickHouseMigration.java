package io.runtrace.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One numbered DDL file, {@code V<version>__<name>.sql}, split into its statements, macros not yet
 * expanded (see {@link ClickHouseDdl}). The checksum is of the file as written, so it is the same
 * for every database, topology and server release.
 */
record ClickHouseMigration(int version, String name, String checksum, List<String> statements) {
  static final String RESOURCE_DIR = "/io/runtrace/schema/clickhouse/";
  private static final Pattern FILE = Pattern.compile("V(\\d{3,})__([a-z0-9_]+)\\.sql");
  /**
   * Checksums of files as first released, before they used macros. Each expands, for the only
   * topology and release that existed then (replicated, 18.16), to exactly the statements of its
   * current form ({@code ClickHouseMigrationTest} proves it), so a database they built is current.
   */
  static final Map<Integer, Set<String>> EARLIER_CHECKSUMS = Map.of(
      1, Set.of("d6ebd1139efef58aa8990c5f852282da8ea745e68adfeb58ac1a72278a7e6a64"),
      2, Set.of("be8c5f0eebd8ff5eec9401c8441f993ef76b381b316b2dfc80159c503fd71a75"));

  /** Loads every migration listed in {@code index.txt}, in order. */
  static List<ClickHouseMigration> loadAll() {
    List<ClickHouseMigration> all = new ArrayList<>();
    for (String line : read("index.txt").split("\n")) {
      String file = line.trim();
      if (file.isEmpty() || file.startsWith("#")) continue;
      all.add(parse(file, read(file)));
    }
    for (int i = 1; i < all.size(); i++) {
      if (all.get(i).version <= all.get(i - 1).version) {
        throw new IllegalStateException("migrations out of order in index.txt at " + all.get(i).name);
      }
    }
    return all;
  }

  static ClickHouseMigration parse(String file, String sql) {
    Matcher m = FILE.matcher(file);
    if (!m.matches()) throw new IllegalStateException("migration file name must be V001__name.sql: " + file);
    return new ClickHouseMigration(Integer.parseInt(m.group(1)), m.group(2), sha256(sql), split(sql));
  }

  /** True when {@code recorded} is this file's checksum or one of its {@link #EARLIER_CHECKSUMS}. */
  boolean matches(String recorded) {
    return checksum.equals(recorded) || EARLIER_CHECKSUMS.getOrDefault(version, Set.of()).contains(recorded);
  }

  /** The statements with their macros expanded for one server. */
  List<String> statements(ClickHouseDdl ddl) {
    return statements.stream().map(ddl::expand).toList();
  }

  /** Splits on semicolons that end a line; drops comment lines. DDL here never has ';' in strings. */
  static List<String> split(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--")) continue;
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        add(statements, current.toString().trim());
        current.setLength(0);
      }
    }
    add(statements, current.toString().trim());
    return statements;
  }

  private static void add(List<String> statements, String statement) {
    String s = statement.endsWith(";") ? statement.substring(0, statement.length() - 1).trim() : statement;
    if (!s.isEmpty()) statements.add(s);
  }

  static String read(String file) {
    try (InputStream in = ClickHouseMigration.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) throw new IllegalStateException("missing schema resource " + RESOURCE_DIR + file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
