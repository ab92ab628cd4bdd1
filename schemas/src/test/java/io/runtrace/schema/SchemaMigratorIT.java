package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The schema on every engine: 18.16 as a replicated writer and reader, 26.7 as a single server. */
@ForEachClickHouseEngine
class SchemaMigratorIT {
  private final ClickHouseEngine engine;
  private final ClickHouseDeployment ch;

  SchemaMigratorIT(ClickHouseEngine engine, LocalStack stack) {
    this.engine = engine;
    this.ch = stack.clickHouse(engine);
  }

  @Test
  void migratesOnceRecordsServerAndTopologyAndTheReaderSeesWrites() throws Exception {
    String db = "schema_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = db(ch.writerUrl(), db); ClickHouseDatabase reader = db(ch.readerUrl(), db)) {
      SchemaMigrator migrator = migrator(writer, reader, db);
      assertThat(migrator.migrate().values()).containsOnly(List.of(1, 2, 3));
      assertThat(migrator.migrate().values()).containsOnly(List.of());

      JsonNode record = writer.query("SELECT any(server_version) AS v, any(topology) AS t, count() AS n FROM "
          + db + ".schema_migrations").get(0);
      assertThat(record.get("v").asText()).isEqualTo(writer.serverVersion().text()).startsWith(engine.label() + ".");
      assertThat(record.get("t").asText()).isEqualTo(engine.replicated() ? "replicated" : "single");
      assertThat(record.get("n").asInt()).isEqualTo(3);
      assertThat(engines(writer, db)).containsOnly(engine.replicated() ? "ReplicatedReplacingMergeTree" : "ReplacingMergeTree");

      writer.insertJsonEachRow(db + ".runs", ("{\"tenant\":\"t\",\"run_id\":\"r1\",\"status\":\"running\","
          + "\"created_unix_nano\":1763800000000000000,\"version\":1}\n").getBytes(StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (reader.query("SELECT run_id FROM " + db + ".runs").isEmpty()) {
        assertThat(System.nanoTime()).as("row visible on the reader within 30 s").isLessThan(deadline);
        Thread.sleep(100);
      }
      assertThat(reader.query("SELECT toString(created_time) AS c FROM " + db + ".runs").get(0).get("c").asText())
          .startsWith("2025-11-2");
    }
  }

  @Test
  void anUpgradeOfAPopulatedDatabaseKeepsItsRunsAndSpansInTheReadModel() throws Exception {
    String db = "schema_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = db(ch.writerUrl(), db); ClickHouseDatabase reader = db(ch.readerUrl(), db)) {
      // The previous release: V001 and V002 only, with runs (one in two versions) and a span.
      List<ClickHouseMigration> previous = ClickHouseMigration.loadAll().subList(0, 2);
      new ClickHouseMigrator(writer, db, engine.replicated(), true).migrate(previous);
      if (ch.replicated()) new ClickHouseMigrator(reader, db, true, false).migrate(previous);
      writer.insertJsonEachRow(db + ".runs", (run("r1", "running", 1) + run("r1", "completed", 2) + run("r2", "failed", 1))
          .getBytes(StandardCharsets.UTF_8));
      writer.insertJsonEachRow(db + ".spans", ("{\"tenant\":\"t\",\"trace_id\":\"trace-r1\",\"span_id\":\"s1\","
          + "\"start_unix_nano\":1763800000000000000,\"version\":1}\n").getBytes(StandardCharsets.UTF_8));
      // uniqExact: 26.7 may collapse the two versions on insert already (optimize_on_insert).
      awaitCount(reader, "SELECT uniqExact(run_id) AS n FROM " + db + ".runs", 2);

      assertThat(migrator(writer, reader, db).migrate().values()).containsOnly(List.of(3));

      // Copied once on the writer, replicated to the reader: each run once, at its newest version.
      awaitCount(reader, "SELECT count() AS n FROM " + db + ".run_ids", 2);
      List<String> runs = new ArrayList<>();
      reader.query("SELECT run_id, status FROM " + db + ".run_list FINAL WHERE deleted = 0 ORDER BY run_id")
          .forEach(r -> runs.add(r.get("run_id").asText() + "=" + r.get("status").asText()));
      assertThat(runs).containsExactly("r1=completed", "r2=failed");
      assertThat(reader.query("SELECT count() AS n FROM " + db + ".run_list").get(0).get("n").asInt()).isEqualTo(2);
      assertThat(reader.query("SELECT count() AS n FROM " + db + ".spans").get(0).get("n").asInt()).isEqualTo(1);
    }
  }

  private static String run(String runId, String status, int version) {
    return "{\"tenant\":\"t\",\"environment\":\"prod\",\"run_id\":\"" + runId + "\",\"trace_id\":\"trace-" + runId
        + "\",\"status\":\"" + status + "\",\"created_unix_nano\":1763800000000000000,\"version\":" + version + "}\n";
  }

  private static void awaitCount(ClickHouseDatabase server, String sql, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (server.query(sql).get(0).get("n").asInt() < n) {
      assertThat(System.nanoTime()).as(sql + " reaches " + n + " within 30 s").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void modernServersGetLowCardinalityAndSpanCodecsAnd1816PlainColumns() {
    String db = "schema_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = db(ch.writerUrl(), db); ClickHouseDatabase reader = db(ch.readerUrl(), db)) {
      migrator(writer, reader, db).migrate();
      boolean modern = engine == ClickHouseEngine.V26_7;
      assertThat(column(writer, db, "runs", "tenant", "type")).isEqualTo(modern ? "LowCardinality(String)" : "String");
      assertThat(column(writer, db, "spans", "attr_keys", "type"))
          .isEqualTo(modern ? "Array(LowCardinality(String))" : "Array(String)");
      if (modern) {
        assertThat(column(writer, db, "spans", "start_unix_nano", "compression_codec")).isEqualTo("CODEC(Delta(8), ZSTD(1))");
        assertThat(column(writer, db, "runs", "started_unix_nano", "compression_codec")).isEmpty();
      }
    }
  }

  private static String column(ClickHouseDatabase server, String db, String table, String column, String field) {
    return server.query("SELECT " + field + " AS v FROM system.columns WHERE database = '" + db + "' AND table = '"
        + table + "' AND name = '" + column + "'").get(0).get("v").asText();
  }

  @Test
  void failsWhenAnAppliedMigrationChanged() {
    String db = "schema_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = db(ch.writerUrl(), db)) {
      SchemaMigrator.builder().clickHouse(writer).database(db).replicated(engine.replicated()).build().migrate();
      writer.execute("ALTER TABLE " + db + ".schema_migrations UPDATE checksum = 'x' WHERE version = 1");
      // Mutations apply asynchronously; wait for it.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!writer.query("SELECT checksum FROM " + db + ".schema_migrations WHERE version = 1")
          .get(0).get("checksum").asText().equals("x") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThatThrownBy(() -> SchemaMigrator.builder().clickHouse(writer).database(db)
          .replicated(engine.replicated()).build().migrate())
          .hasMessageContaining("different checksum");
    }
  }

  private SchemaMigrator migrator(ClickHouseDatabase writer, ClickHouseDatabase reader, String db) {
    SchemaMigrator.Builder b = SchemaMigrator.builder().clickHouse(writer).database(db).replicated(engine.replicated());
    if (ch.replicated()) b.clickHouse(reader);
    return b.build();
  }

  static List<String> engines(ClickHouseDatabase server, String db) {
    List<String> engines = new ArrayList<>();
    server.query("SELECT engine FROM system.tables WHERE database = '" + db + "' AND name IN ('spans', 'runs')")
        .forEach(r -> engines.add(r.get("engine").asText()));
    return engines;
  }

  static ClickHouseDatabase db(URI url, String db) {
    return ClickHouseDatabase.builder().url(url).database(db).build();
  }
}
