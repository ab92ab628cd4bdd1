package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every engine of the stack offers alike: its version, and the same users with the same rights. */
@ForEachClickHouseEngine
class ClickHouseServersIT {
  private final ClickHouseEngine engine;
  private final ClickHouseDeployment ch;

  ClickHouseServersIT(ClickHouseEngine engine, LocalStack stack) {
    this.engine = engine;
    this.ch = stack.clickHouse(engine);
  }

  @Test
  void servesItsEngineOnWriterAndReader() throws Exception {
    assertThat(ClickHouseHttp.query(ch.writerUrl(), "SELECT version()")).startsWith(engine.label() + ".");
    assertThat(ClickHouseHttp.query(ch.readerUrl(), "SELECT version()")).startsWith(engine.label() + ".");
    assertThat(ch.replicated()).isEqualTo(engine.replicated());
  }

  @Test
  void theReaderUserIsReadOnlyAndTheWriterUserWrites() throws Exception {
    String table = "users_" + UUID.randomUUID().toString().replace("-", "");
    ClickHouseHttp.query(ch.writerUrl(), "writer", "CREATE TABLE " + table + " (id UInt64) ENGINE = MergeTree ORDER BY id");
    ClickHouseHttp.query(ch.writerUrl(), "writer", "INSERT INTO " + table + " VALUES (1)");
    assertThat(ClickHouseHttp.query(ch.writerUrl(), "reader", "SELECT count() FROM " + table)).isEqualTo("1");
    assertThatThrownBy(() -> ClickHouseHttp.query(ch.writerUrl(), "reader", "INSERT INTO " + table + " VALUES (2)"))
        .hasMessageContaining("readonly");
    assertThatThrownBy(() -> ClickHouseHttp.query(ch.writerUrl(), "reader", "DROP TABLE " + table))
        .hasMessageContaining("readonly");
    ClickHouseHttp.query(ch.writerUrl(), "writer", "DROP TABLE " + table);
  }

  @Test
  void aWrongPasswordIsRefusedAsAnAuthenticationFailure() {
    assertThatThrownBy(() -> ClickHouseHttp.query(ch.readerUrl(), "reader", "not-the-password", "SELECT 1"))
        .hasMessageContaining("reader").hasMessageMatching("(?s).*(Code: (192|193|194|516)).*");
    assertThatThrownBy(() -> ClickHouseHttp.query(ch.writerUrl(), "writer", "", "SELECT 1"))
        .hasMessageMatching("(?s).*(Code: (192|193|194|516)).*");
  }

  @Test
  void theReaderProfileCarriesTheGuards() throws Exception {
    for (String[] guard : ClickHouseUsers.READER_GUARDS) {
      assertThat(ClickHouseHttp.query(ch.readerUrl(), "reader",
          "SELECT value FROM system.settings WHERE name = '" + guard[0] + "'")).as(guard[0]).isEqualTo(guard[1]);
    }
    assertThat(ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT value FROM system.settings WHERE name = 'readonly'"))
        .isEqualTo("2");
  }

  @Test
  void theReadersGuardsStopOversizedQueries() {
    assertThatThrownBy(() -> ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT sum(number) FROM system.numbers LIMIT 30000000"))
        .hasMessageContaining("Limit for rows");
    assertThatThrownBy(() -> ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT number FROM numbers(200000)"))
        .hasMessageContaining("Limit for result exceeded");
  }

  @Test
  void aQueryCannotLiftTheReadersGuardsOn267() throws Exception {
    if (engine == ClickHouseEngine.V26_7) {
      assertThatThrownBy(() -> ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT 1 SETTINGS max_rows_to_read = 0"))
          .hasMessageContaining("max_rows_to_read");
      assertThatThrownBy(() -> ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT 1 SETTINGS max_execution_time = 0"))
          .hasMessageContaining("max_execution_time");
      assertThat(ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT 1 SETTINGS max_execution_time = 10")).isEqualTo("1");
    } else {
      // 18.16 has no settings constraints: readonly=2 lets a query change its limits (query-api README).
      assertThat(ClickHouseHttp.query(ch.readerUrl(), "reader", "SELECT 1 SETTINGS max_rows_to_read = 0")).isEqualTo("1");
    }
  }
}
