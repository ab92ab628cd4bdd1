package io.runtrace.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies the numbered DDL files to one server and records each applied version in
 * {@code <database>.schema_migrations}. Safe to run again: applied versions are skipped, and the
 * DDL itself is {@code IF NOT EXISTS}, so a crash between a statement and its record heals.
 */
final class ClickHouseMigrator {
  private static final System.Logger LOG = System.getLogger(ClickHouseMigrator.class.getName());

  private final ClickHouseDatabase db;
  private final String database;

  ClickHouseMigrator(ClickHouseDatabase db, String database) {
    this.db = db;
    this.database = ClickHouseSql.identifier(database);
  }

  /** Returns the versions this call applied (empty when the server was up to date). */
  List<Integer> migrate(List<ClickHouseMigration> migrations) {
    db.createDatabaseIfMissing(database);
    db.execute("CREATE TABLE IF NOT EXISTS " + database + ".schema_migrations"
        + " (version UInt32, name String, checksum String, applied_at DateTime)"
        + " ENGINE = MergeTree ORDER BY version");
    Map<Integer, String> applied = applied();
    List<Integer> done = new java.util.ArrayList<>();
    for (ClickHouseMigration m : migrations) {
      String checksum = applied.get(m.version());
      if (checksum != null) {
        if (!checksum.equals(m.checksum())) {
          throw new IllegalStateException("migration V" + m.version() + "__" + m.name() + " on " + db.url()
              + " was applied with a different checksum; migrations are append-only, add a new file instead");
        }
        continue;
      }
      for (String statement : m.statements()) db.execute(statement);
      db.execute("INSERT INTO " + database + ".schema_migrations (version, name, checksum, applied_at) VALUES ("
          + m.version() + ", " + ClickHouseSql.literal(m.name()) + ", " + ClickHouseSql.literal(m.checksum())
          + ", now())");
      LOG.log(Level.INFO, "applied V{0}__{1} on {2}", m.version(), m.name(), db.url());
      done.add(m.version());
    }
    return done;
  }

  /** Applied versions and their checksums. */
  Map<Integer, String> applied() {
    Map<Integer, String> applied = new HashMap<>();
    for (JsonNode row : db.query("SELECT version, checksum FROM " + database + ".schema_migrations")) {
      applied.put(row.get("version").asInt(), row.get("checksum").asText());
    }
    return applied;
  }
}
