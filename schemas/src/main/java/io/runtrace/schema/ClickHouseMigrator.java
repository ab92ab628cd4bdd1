package io.runtrace.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseException;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.clickhouse.ClickHouseVersion;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies the numbered DDL files to one server, expanded for its topology and release (data
 * statements, {@code INSERT … SELECT}, on the first server only), and
 * records each applied version in {@code <database>.schema_migrations} with the server version
 * and topology it was applied for. Safe to run again: applied versions are skipped, and the DDL
 * itself is {@code IF NOT EXISTS}, so a crash between a statement and its record heals. Refuses
 * to apply a topology other than the one the database already has.
 */
final class ClickHouseMigrator {
  static final String REPLICATED = "replicated";
  static final String SINGLE = "single";
  private static final System.Logger LOG = System.getLogger(ClickHouseMigrator.class.getName());

  private final ClickHouseDatabase db;
  private final String database;
  private final boolean replicated;
  private final String topology;
  private final boolean first;

  /** @param first true for the first server given (the writer), the only one data statements run on */
  ClickHouseMigrator(ClickHouseDatabase db, String database, boolean replicated, boolean first) {
    this.db = db;
    this.database = ClickHouseSql.identifier(database);
    this.replicated = replicated;
    this.topology = replicated ? REPLICATED : SINGLE;
    this.first = first;
  }

  /** Returns the versions this call applied (empty when the server was up to date). */
  List<Integer> migrate(List<ClickHouseMigration> migrations) {
    ClickHouseVersion version = db.serverVersion();
    if (replicated) requireReplication();
    db.createDatabaseIfMissing(database);
    db.execute("CREATE TABLE IF NOT EXISTS " + database + ".schema_migrations"
        + " (version UInt32, name String, checksum String, applied_at DateTime,"
        + " server_version String, topology String)"
        + " ENGINE = MergeTree ORDER BY version");
    addColumnsOfEarlierReleases();
    requireSameTopology();
    ClickHouseDdl ddl = new ClickHouseDdl(database, replicated, ClickHouseDialect.of(version));
    Map<Integer, String> applied = applied();
    List<Integer> done = new ArrayList<>();
    for (ClickHouseMigration m : migrations) {
      String checksum = applied.get(m.version());
      if (checksum != null) {
        if (!m.matches(checksum)) {
          throw new IllegalStateException("migration V" + m.version() + "__" + m.name() + " on " + db.url()
              + " was applied with a different checksum; migrations are append-only, add a new file instead");
        }
        continue;
      }
      for (String statement : m.statements(ddl)) {
        // Replication brings the writer's rows to the readers; an insert on each would repeat them.
        if (first || !isData(statement)) db.execute(statement);
      }
      db.execute("INSERT INTO " + database + ".schema_migrations"
          + " (version, name, checksum, applied_at, server_version, topology) VALUES ("
          + m.version() + ", " + ClickHouseSql.literal(m.name()) + ", " + ClickHouseSql.literal(m.checksum())
          + ", now(), " + ClickHouseSql.literal(version.text()) + ", " + ClickHouseSql.literal(topology) + ")");
      LOG.log(Level.INFO, "applied V{0}__{1} on {2} (ClickHouse {3}, {4})", m.version(), m.name(), db.url(),
          version, topology);
      done.add(m.version());
    }
    return done;
  }

  /** An {@code INSERT}: runs on the first server only. */
  static boolean isData(String statement) {
    return statement.regionMatches(true, 0, "INSERT", 0, 6);
  }

  /** Applied versions and their checksums. */
  Map<Integer, String> applied() {
    Map<Integer, String> applied = new HashMap<>();
    for (JsonNode row : db.query("SELECT version, checksum FROM " + database + ".schema_migrations")) {
      applied.put(row.get("version").asInt(), row.get("checksum").asText());
    }
    return applied;
  }

  /** Replicated tables need ZooKeeper (or Keeper) and the {shard} and {replica} macros. */
  private void requireReplication() {
    String fix = "; for a single server set replicated=false (RUNTRACE_CLICKHOUSE_REPLICATED=false)";
    try {
      db.queryInDefault("SELECT count() AS n FROM system.zookeeper WHERE path = '/'");
    } catch (ClickHouseException e) {
      throw new IllegalStateException("replicated=true needs ZooKeeper or ClickHouse Keeper, and " + db.url()
          + " has none configured (" + firstLine(e) + ")" + fix, e);
    }
    Set<String> macros = new TreeSet<>();
    db.queryInDefault("SELECT macro FROM system.macros").forEach(r -> macros.add(r.get("macro").asText()));
    if (!macros.containsAll(Set.of("shard", "replica"))) {
      throw new IllegalStateException("replicated=true needs the macros {shard} and {replica} on " + db.url()
          + ", which defines " + macros + fix);
    }
  }

  private void addColumnsOfEarlierReleases() {
    Set<String> columns = new TreeSet<>();
    db.query("SELECT name FROM system.columns WHERE database = " + ClickHouseSql.literal(database)
        + " AND table = 'schema_migrations'").forEach(r -> columns.add(r.get("name").asText()));
    for (String column : List.of("server_version", "topology")) {
      if (!columns.contains(column)) {
        db.execute("ALTER TABLE " + database + ".schema_migrations ADD COLUMN " + column + " String");
      }
    }
  }

  /** Fails when the recorded topology or the engines of existing tables say otherwise. */
  private void requireSameTopology() {
    Set<String> found = new TreeSet<>();
    List<String> evidence = new ArrayList<>();
    for (JsonNode row : db.query("SELECT DISTINCT topology FROM " + database + ".schema_migrations"
        + " WHERE topology != ''")) {
      found.add(row.get("topology").asText());
      evidence.add("schema_migrations records " + row.get("topology").asText());
    }
    for (JsonNode row : db.query("SELECT name, engine FROM system.tables WHERE database = "
        + ClickHouseSql.literal(database) + " AND engine LIKE '%MergeTree' AND name != 'schema_migrations'")) {
      String engine = row.get("engine").asText();
      found.add(engine.startsWith("Replicated") ? REPLICATED : SINGLE);
      evidence.add(row.get("name").asText() + " is " + engine);
    }
    found.remove(topology);
    if (!found.isEmpty()) {
      throw new IllegalStateException("database " + database + " on " + db.url() + " was set up for "
          + (replicated ? "a single server" : "a replicated cluster") + " (" + String.join(", ", evidence)
          + "), and this run asks for " + (replicated ? "a replicated cluster" : "a single server")
          + " (replicated=" + replicated + ", RUNTRACE_CLICKHOUSE_REPLICATED); switching topology needs a data"
          + " migration, so nothing was changed");
    }
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
    int newline = message.indexOf('\n');
    message = newline < 0 ? message : message.substring(0, newline);
    return message.length() <= 200 ? message : message.substring(0, 200) + "…";
  }
}
