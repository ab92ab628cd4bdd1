package io.runtrace.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The client against every engine: 18.16's writer and reader replicas, and the single 26.7 server. */
@ForEachClickHouseEngine
class ClickHouseDatabaseIT {
  private final ClickHouseEngine engine;
  private final ClickHouseDeployment stack;

  ClickHouseDatabaseIT(ClickHouseEngine engine, LocalStack stack) {
    this.engine = engine;
    this.stack = stack.clickHouse(engine);
  }

  @Test
  void knowsItsServerVersionAndDialect() {
    try (ClickHouseDatabase ch = ClickHouseDatabase.builder().url(stack.readerUrl()).database("no_such_database").build()) {
      assertThat(ch.serverVersion().text()).startsWith(engine.label() + ".");
      assertThat(ch.dialect().has(ClickHouseDialect.Feature.LOW_CARDINALITY)).isEqualTo(engine == ClickHouseEngine.V26_7);
    }
  }

  @Test
  void insertsAndQueriesJson() {
    String db = "ch_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase ch = ClickHouseDatabase.builder().url(stack.writerUrl()).database("default").build()) {
      assertThat(ch.ping()).isTrue();
      ch.execute("CREATE DATABASE " + db);
      ch.execute("CREATE TABLE " + db + ".t (id UInt64, name String, tags Array(String)) ENGINE = MergeTree ORDER BY id");
      ch.insertJsonEachRow(db + ".t", ("{\"id\":1,\"name\":\"a'b\",\"tags\":[\"x\"],\"extra\":1}\n"
          + "{\"id\":2,\"name\":\"zürich\",\"tags\":[]}\n").getBytes(StandardCharsets.UTF_8));
      List<JsonNode> rows = ch.query("SELECT id, name, tags FROM " + db + ".t WHERE name = "
          + ClickHouseSql.literal("a'b"));
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).get("id").asLong()).isEqualTo(1);
      assertThat(rows.get(0).get("tags").get(0).asText()).isEqualTo("x");
      assertThat(ch.query("SELECT name FROM " + db + ".t WHERE id = 2").get(0).get("name").asText()).isEqualTo("zürich");
      assertThatThrownBy(() -> ch.query("SELECT * FROM " + db + ".missing"))
          .isInstanceOf(ClickHouseException.class).hasMessageContaining(db + ".missing");
      try (ClickHouseDatabase inDb = ClickHouseDatabase.builder().url(stack.writerUrl()).database(db).build()) {
        assertThat(inDb.query("SELECT count() AS n FROM t").get(0).get("n").asLong()).isEqualTo(2);
        inDb.insertJsonEachRow("t", "{\"id\":3,\"name\":\"c\",\"tags\":[]}\n".getBytes(StandardCharsets.UTF_8));
        inDb.execute("OPTIMIZE TABLE t");
        assertThat(inDb.query("SELECT count() AS n FROM t").get(0).get("n").asLong()).isEqualTo(3);
      }
      ch.dropDatabaseIfExists(db);
    }
  }

  @Test
  void finalFiltersOnTheLatestVersionNotOnAnOlderOne() {
    String db = "ch_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase ch = ClickHouseDatabase.builder().url(stack.writerUrl()).database(db).build()) {
      ch.createDatabaseIfMissing(db);
      ch.execute("CREATE TABLE runs (id String, status String, version UInt64)"
          + " ENGINE = ReplacingMergeTree(version) ORDER BY id");
      ch.insertJsonEachRow("runs", "{\"id\":\"r\",\"status\":\"running\",\"version\":1}\n".getBytes(StandardCharsets.UTF_8));
      ch.insertJsonEachRow("runs", "{\"id\":\"r\",\"status\":\"completed\",\"version\":2}\n".getBytes(StandardCharsets.UTF_8));
      // Two parts, not merged yet: a filter on a non-key column must not see version 1.
      assertThat(ch.query("SELECT id FROM runs FINAL WHERE status = 'running'")).isEmpty();
      assertThat(ch.query("SELECT status FROM runs FINAL WHERE status = 'completed'")).hasSize(1);
      ch.dropDatabaseIfExists(db);
    }
  }

  @Test
  void finalCollapsesVersionsWithinAPartitionOnEveryEngine() {
    String db = "ch_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase ch = ClickHouseDatabase.builder().url(stack.writerUrl()).database(db).build()) {
      ch.createDatabaseIfMissing(db);
      ch.execute("CREATE TABLE runs (day UInt32, id String, status String, version UInt64)"
          + " ENGINE = ReplacingMergeTree(version) PARTITION BY day ORDER BY id");
      for (int day = 1; day <= 3; day++) {
        ch.insertJsonEachRow("runs", ("{\"day\":" + day + ",\"id\":\"r\",\"status\":\"running\",\"version\":1}\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      ch.insertJsonEachRow("runs", "{\"day\":2,\"id\":\"r\",\"status\":\"completed\",\"version\":2}\n"
          .getBytes(StandardCharsets.UTF_8));
      assertThat(ch.query("SELECT status FROM runs FINAL WHERE day = 2")).extracting(r -> r.get("status").asText())
          .containsExactly("completed");
      // Why runtrace keeps every version of a row in one partition: across partitions the engines
      // differ. 18.16's FINAL collapses them; a modern server reading within partitions does not.
      assertThat(ch.query("SELECT day FROM runs FINAL ORDER BY day")).extracting(r -> r.get("day").asInt())
          .isEqualTo(engine == ClickHouseEngine.V18_16 ? java.util.List.of(2) : java.util.List.of(1, 2, 3));
      ch.dropDatabaseIfExists(db);
    }
  }

  @Test
  void maxResultRowsIsEnforcedByTheServer() {
    try (ClickHouseDatabase ch = ClickHouseDatabase.builder().url(stack.readerUrl())
        .database("default").maxResultRows(10).build()) {
      assertThatThrownBy(() -> ch.query("SELECT number FROM system.numbers LIMIT 100000"))
          .isInstanceOf(ClickHouseException.class);
      assertThat(ch.query("SELECT number FROM system.numbers LIMIT 5")).hasSize(5);
    }
  }
}
