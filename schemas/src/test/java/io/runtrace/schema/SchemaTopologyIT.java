package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Topology rules that need a particular engine: refusing a switch, a server without ZooKeeper, an upgrade. */
@ExtendWith(LocalStackExtension.class)
class SchemaTopologyIT {
  // Needs the 18.16 servers, which have ZooKeeper and can hold either topology.
  @Test
  void refusesToSwitchTopologyEitherWay(LocalStack stack) {
    ClickHouseDeployment ch = deployment(stack, ClickHouseEngine.V18_16);
    String db = name();
    try (ClickHouseDatabase writer = SchemaMigratorIT.db(ch.writerUrl(), db)) {
      SchemaMigrator.builder().clickHouse(writer).database(db).replicated(true).build().migrate();
      assertThatThrownBy(() -> SchemaMigrator.builder().clickHouse(writer).database(db).replicated(false).build().migrate())
          .hasMessageContaining("database " + db + " on " + ch.writerUrl() + " was set up for a replicated cluster")
          .hasMessageContaining("spans is ReplicatedReplacingMergeTree")
          .hasMessageContaining("this run asks for a single server (replicated=false, RUNTRACE_CLICKHOUSE_REPLICATED)");
    }
    String single = name();
    try (ClickHouseDatabase writer = SchemaMigratorIT.db(ch.writerUrl(), single)) {
      SchemaMigrator.builder().clickHouse(writer).database(single).replicated(false).build().migrate();
      assertThat(SchemaMigratorIT.engines(writer, single)).containsOnly("ReplacingMergeTree");
      assertThatThrownBy(() -> SchemaMigrator.builder().clickHouse(writer).database(single).replicated(true).build().migrate())
          .hasMessageContaining("was set up for a single server (schema_migrations records single");
      assertThat(SchemaMigratorIT.engines(writer, single)).as("nothing changed").containsOnly("ReplacingMergeTree");
    }
  }

  // Needs the 26.7 server: a server with no ZooKeeper.
  @Test
  void aServerWithoutZooKeeperSaysToSetReplicatedFalse(LocalStack stack) {
    ClickHouseDeployment ch = deployment(stack, ClickHouseEngine.V26_7);
    try (ClickHouseDatabase server = SchemaMigratorIT.db(ch.writerUrl(), name())) {
      assertThatThrownBy(() -> SchemaMigrator.builder().clickHouse(server).database(server.database()).build().migrate())
          .hasMessageStartingWith("replicated=true needs ZooKeeper or ClickHouse Keeper, and " + ch.writerUrl()
              + " has none configured")
          .hasMessageEndingWith("for a single server set replicated=false (RUNTRACE_CLICKHOUSE_REPLICATED=false)");
    }
  }

  @Test
  void oneServerOnlyForASingleServerTopology(LocalStack stack) {
    ClickHouseDeployment ch = stack.clickHouse();
    try (ClickHouseDatabase a = SchemaMigratorIT.db(ch.writerUrl(), "x");
        ClickHouseDatabase b = SchemaMigratorIT.db(ch.readerUrl(), "x")) {
      assertThatThrownBy(() -> SchemaMigrator.builder().clickHouse(a).clickHouse(b).replicated(false).build())
          .hasMessageStartingWith("replicated=false is for one server, and 2 were given");
    }
  }

  // Needs the 18.16 pair: the files before macros only ever built replicated 18.16 tables.
  @Test
  void aDatabaseMigratedBeforeMacrosUpgradesInPlaceKeepingItsRows(LocalStack stack) throws IOException {
    ClickHouseDeployment ch = deployment(stack, ClickHouseEngine.V18_16);
    String db = name();
    try (ClickHouseDatabase writer = SchemaMigratorIT.db(ch.writerUrl(), db)) {
      writer.createDatabaseIfMissing(db);
      // What the earlier migrator left: its own schema_migrations and the two files as released.
      writer.execute("CREATE TABLE " + db + ".schema_migrations (version UInt32, name String, checksum String,"
          + " applied_at DateTime) ENGINE = MergeTree ORDER BY version");
      for (String file : List.of("V001__spans.sql", "V002__runs.sql")) {
        String sql = resource("/io/runtrace/schema/before-macros/" + file);
        ClickHouseMigration old = ClickHouseMigration.parse(file, sql);
        for (String statement : ClickHouseMigration.split(sql.replace("${database}", db))) writer.execute(statement);
        writer.execute("INSERT INTO " + db + ".schema_migrations VALUES (" + old.version() + ", '" + old.name()
            + "', '" + old.checksum() + "', now())");
      }
      writer.insertJsonEachRow(db + ".runs", "{\"trace_id\":\"t1\",\"created_unix_nano\":1763800000000000000,\"version\":1}\n"
          .getBytes(StandardCharsets.UTF_8));

      assertThat(SchemaMigrator.builder().clickHouse(writer).database(db).build().migrate().values())
          .containsOnly(List.of(3));
      assertThat(writer.query("SELECT count() AS n FROM " + db + ".runs").get(0).get("n").asInt()).isEqualTo(1);
      assertThat(writer.query("SELECT count() AS n FROM " + db + ".run_list").get(0).get("n").asInt()).isEqualTo(1);
      assertThat(writer.query("SELECT name FROM system.columns WHERE database = '" + db
          + "' AND table = 'schema_migrations' AND name IN ('server_version', 'topology')")).hasSize(2);
    }
  }

  private static ClickHouseDeployment deployment(LocalStack stack, ClickHouseEngine engine) {
    assumeTrue(stack.clickHouseEngines().contains(engine), engine + " not selected (-Druntrace.clickhouse)");
    return stack.clickHouse(engine);
  }

  private static String name() {
    return "topology_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = SchemaTopologyIT.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
