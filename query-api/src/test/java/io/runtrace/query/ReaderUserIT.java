package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseException;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guards inside ClickHouse: the API's user ({@code reader}, read-only profile) reads the
 * schema, and anything that would change it — INSERT, DDL, dropping a partition — fails on the
 * server, whatever our code sends. On both engines.
 */
@ForEachClickHouseEngine
class ReaderUserIT {
  private final ClickHouseDeployment ch;
  private final String db = "qa_ro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  private final ClickHouseDatabase admin;
  private final ClickHouseDatabase apiUser;

  ReaderUserIT(ClickHouseEngine engine, LocalStack stack) {
    this.ch = stack.clickHouse(engine);
    this.admin = RunHistoryServiceIT.connect(ch.writerUrl(), db);
    ClickHouseDatabase reader = RunHistoryServiceIT.connect(ch.readerUrl(), db);
    RunHistoryServiceIT.migrate(ch, admin, reader);
    reader.close();
    // As the API connects: the reader user and password, on the reader replica.
    this.apiUser = ClickHouseDatabase.builder().url(ch.readerUrl()).database(db)
        .user(StackCredentials.CLICKHOUSE_READER_USER).password(StackCredentials.CLICKHOUSE_READER_PASSWORD)
        .maxExecutionTime(Duration.ofSeconds(10)).maxResultRows(10_001).build();
  }

  @AfterEach
  void dropDatabase() {
    apiUser.close();
    admin.dropDatabaseIfExists(db);
    admin.close();
  }

  @Test
  void theApiUserReadsButCannotWriteOrChangeTheSchema() {
    assertThat(apiUser.query("SELECT count() AS n FROM run_list").get(0).get("n").asText()).isEqualTo("0");
    String[] refused = {
        "INSERT INTO run_list (tenant, trace_id) VALUES ('acme', 'x')",
        "CREATE TABLE evil (id UInt64) ENGINE = Memory",
        "DROP TABLE run_list",
        "ALTER TABLE spans DROP PARTITION 20261201",
        "TRUNCATE TABLE run_ids",
    };
    for (String sql : refused) {
      assertThatThrownBy(() -> apiUser.execute(sql)).as(sql).isInstanceOfSatisfying(ClickHouseException.class,
          e -> assertThat(e.permissionDenied()).as(sql + " refused as a permission, code " + e.serverCode()).isTrue());
    }
    assertThatThrownBy(() -> apiUser.insertJsonEachRow("run_list", "{\"tenant\":\"acme\"}\n".getBytes()))
        .isInstanceOfSatisfying(ClickHouseException.class, e -> assertThat(e.permissionDenied()).isTrue());
    assertThat(admin.query("SELECT count() AS n FROM run_list").get(0).get("n").asText()).isEqualTo("0");
    assertThat(admin.query("SELECT count() AS n FROM system.tables WHERE database = '" + db + "' AND name = 'evil'")
        .get(0).get("n").asText()).isEqualTo("0");
  }

  @Test
  void aWrongPasswordIsAnAuthenticationFailureNotAnOutage() {
    try (ClickHouseDatabase wrong = ClickHouseDatabase.builder().url(ch.readerUrl()).database(db)
        .user(StackCredentials.CLICKHOUSE_READER_USER).password("not-the-password").build()) {
      assertThatThrownBy(() -> wrong.query("SELECT 1 AS x")).isInstanceOfSatisfying(ClickHouseException.class,
          e -> assertThat(e.authenticationFailed()).as("code " + e.serverCode()).isTrue());
    }
  }

  @Test
  void theServiceShowsWhetherItsUserMayWrite() throws Exception {
    try (RunHistoryService readOnly = RunHistoryService.builder().reader(apiUser).allowUnauthenticated(true)
            .host("127.0.0.1").port(0).build().start();
        ClickHouseDatabase adminReader = RunHistoryServiceIT.connect(ch.readerUrl(), db);
        RunHistoryService writing = RunHistoryService.builder().reader(adminReader).allowUnauthenticated(true)
            .host("127.0.0.1").port(0).build().start()) {
      assertThat(awaitWritable(readOnly)).isEqualTo(0.0);
      assertThat(awaitWritable(writing)).isEqualTo(1.0);
    }
  }

  private static double awaitWritable(RunHistoryService service) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    double value = Double.NaN;
    while (Double.isNaN(value) && System.nanoTime() < until) {
      Thread.sleep(50);
      value = service.meterRegistry().get("runtrace.query.reader.writable").gauge().value();
    }
    return value;
  }
}
