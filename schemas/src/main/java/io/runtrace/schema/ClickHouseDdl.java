package io.runtrace.schema;

import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseDialect.Feature;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands the macros of a migration statement for one server: its database, its topology
 * (replicated cluster or single server) and its release's {@link ClickHouseDialect}.
 *
 * <ul>
 *   <li>{@code ${database}}: the database name.
 *   <li>{@code ${engine:ReplacingMergeTree(version)}}: that engine on a single server;
 *       {@code ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/<database>/<table>',
 *       '{replica}', version)} on a cluster.
 *   <li>{@code ${lowcardinality:String}}: {@code LowCardinality(String)} where it exists, else {@code String}.
 *   <li>{@code ${codec:Delta, ZSTD(1)}}: {@code CODEC(Delta, ZSTD(1))} where codecs exist, else nothing.
 *   <li>{@code ${index:name expr TYPE t GRANULARITY g}}: {@code , INDEX name expr …} where skip
 *       indexes exist, else nothing; it follows the last column, so it brings its own comma.
 *   <li>{@code ${settings}} or {@code ${settings:index_granularity = 1024}}: the given table
 *       settings and those of the topology ({@code non_replicated_deduplication_window = 1000} on
 *       a single server that has it) as one {@code SETTINGS} clause, or nothing.
 * </ul>
 */
final class ClickHouseDdl {
  /** Blocks remembered per table on a single server, as a replicated table remembers by default (18.16: 100). */
  static final int DEDUPLICATION_WINDOW = 1000;
  private static final Pattern MACRO = Pattern.compile("\\$\\{(\\w+)(?::([^}]*))?}");
  private static final Pattern TABLE = Pattern.compile(
      "(?is)CREATE\\s+(?:TABLE|MATERIALIZED\\s+VIEW)\\s+IF\\s+NOT\\s+EXISTS\\s+[^\\s.]+\\.(\\w+)");
  private static final Pattern ENGINE = Pattern.compile("(\\w*MergeTree)\\((.*)\\)");

  private final String database;
  private final boolean replicated;
  private final ClickHouseDialect dialect;

  ClickHouseDdl(String database, boolean replicated, ClickHouseDialect dialect) {
    this.database = database;
    this.replicated = replicated;
    this.dialect = dialect;
  }

  /** The statement with every macro expanded, and the blanks an empty macro leaves tidied away. */
  String expand(String statement) {
    Matcher m = MACRO.matcher(statement);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(macro(m.group(1), m.group(2), statement)));
    }
    StringBuilder tidy = new StringBuilder();
    for (String line : m.appendTail(out).toString().split("\n")) {
      String cut = line.stripTrailing().replaceAll("\\s+,$", ",");
      if (cut.isBlank()) continue;
      int comma = cut.indexOf(',');
      if (comma >= 0 && cut.substring(0, comma).isBlank() && tidy.length() > 0) {
        // An index brings its own comma, which belongs at the end of the column before it.
        tidy.append(',');
        cut = cut.substring(0, comma) + cut.substring(comma + 1).trim();
      }
      tidy.append(tidy.length() == 0 ? "" : "\n").append(cut);
    }
    return tidy.toString();
  }

  private String macro(String name, String arg, String statement) {
    return switch (name) {
      case "database" -> database;
      case "engine" -> engine(required(name, arg), statement);
      case "lowcardinality" -> dialect.lowCardinality(required(name, arg).trim());
      case "codec" -> dialect.codec(required(name, arg).trim());
      case "index" -> dialect.has(Feature.SKIP_INDEXES) ? ", INDEX " + required(name, arg).trim() : "";
      case "settings" -> settings(arg);
      default -> throw new IllegalStateException("unknown macro ${" + name + "} in: " + abbreviate(statement));
    };
  }

  private String settings(String table) {
    List<String> all = new ArrayList<>();
    if (table != null && !table.isBlank()) all.add(table.trim());
    if (!replicated && dialect.has(Feature.NON_REPLICATED_DEDUPLICATION)) {
      all.add("non_replicated_deduplication_window = " + DEDUPLICATION_WINDOW);
    }
    return all.isEmpty() ? "" : "SETTINGS " + String.join(", ", all);
  }

  private String engine(String engine, String statement) {
    Matcher e = ENGINE.matcher(engine.trim());
    if (!e.matches()) {
      throw new IllegalStateException("${engine:…} must name a *MergeTree engine with its arguments, was " + engine);
    }
    if (!replicated) return engine.trim();
    Matcher t = TABLE.matcher(statement);
    if (!t.find()) {
      throw new IllegalStateException("${engine:…} outside CREATE TABLE/MATERIALIZED VIEW IF NOT EXISTS: "
          + abbreviate(statement));
    }
    String args = e.group(2).trim();
    return "Replicated" + e.group(1) + "('/clickhouse/tables/{shard}/" + database + "/" + t.group(1)
        + "', '{replica}'" + (args.isEmpty() ? "" : ", " + args) + ")";
  }

  private static String required(String name, String arg) {
    if (arg == null || arg.isBlank()) throw new IllegalStateException("${" + name + ":…} needs an argument");
    return arg;
  }

  private static String abbreviate(String sql) {
    String line = sql.replaceAll("\\s+", " ").trim();
    return line.length() <= 120 ? line : line.substring(0, 120) + "…";
  }
}
