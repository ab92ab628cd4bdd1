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
}
