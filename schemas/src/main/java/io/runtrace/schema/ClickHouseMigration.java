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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One numbered DDL file, {@code V<version>__<name>.sql}, split into its statements. */
record ClickHouseMigration(int version, String name, String checksum, List<String> statements) {
  static final String RESOURCE_DIR = "/io/runtrace/schema/clickhouse/";
  private static final Pattern FILE = Pattern.compile("V(\\d{3,})__([a-z0-9_]+)\\.sql");

  /** Loads every migration listed in {@code index.txt}, in order, with the database filled in. */
  static List<ClickHouseMigration> loadAll(String database) {
    List<ClickHouseMigration> all = new ArrayList<>();
    for (String line : read("index.txt").split("\n")) {
      String file = line.trim();
      if (file.isEmpty() || file.startsWith("#")) continue;
      all.add(parse(file, read(file), database));
    }
    for (int i = 1; i < all.size(); i++) {
      if (all.get(i).version <= all.get(i - 1).version) {
        throw new IllegalStateException("migrations out of order in index.txt at " + all.get(i).name);
      }
    }
    return all;
  }

  static ClickHouseMigration parse(String file, String sql, String database) {
    Matcher m = FILE.matcher(file);
    if (!m.matches()) throw new IllegalStateException("migration file name must be V001__name.sql: " + file);
    String text = sql.replace("${database}", database);
    return new ClickHouseMigration(Integer.parseInt(m.group(1)), m.group(2), sha256(sql), split(text));
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

  private static String read(String file) {
    try (InputStream in = ClickHouseMigration.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) throw new IllegalStateException("missing schema resource " + RESOURCE_DIR + file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
