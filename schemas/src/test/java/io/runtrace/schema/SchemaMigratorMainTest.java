package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchemaMigratorMainTest {
  private final List<ClickHouseDatabase> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(ClickHouseDatabase::close);
  }

  @Test
  void aSingleServerIsOneWriterWithReplicatedFalse() {
    SchemaMigratorMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_REPLICATED", "false"), opened);
    assertThat(opened).extracting(db -> db.url().toString()).containsExactly("http://127.0.0.1:8123");
  }

  @Test
  void aClusterIsAWriterAndItsReaders() {
    SchemaMigratorMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_WRITER_URL", "http://w:8123",
        "RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123, http://r2:8123", "RUNTRACE_CLICKHOUSE_DATABASE", "rt"), opened);
    assertThat(opened).extracting(db -> db.url().toString()).containsExactly("http://w:8123", "http://r1:8123", "http://r2:8123");
    assertThat(opened).extracting(ClickHouseDatabase::database).containsOnly("rt");
  }

  @Test
  void badValuesNameTheirVariable() {
    assertThatThrownBy(() -> SchemaMigratorMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_REPLICATED", "yes"), opened))
        .hasMessage("RUNTRACE_CLICKHOUSE_REPLICATED: must be true or false, was \"yes\"");
    assertThatThrownBy(() -> SchemaMigratorMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_WRITER_URL", "ftp://x"), opened))
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_WRITER_URL: clickhouse url must be http(s)://host:port");
    assertThatThrownBy(() -> SchemaMigratorMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_REPLICATED", "false",
        "RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123"), opened))
        .hasMessageStartingWith("replicated=false is for one server, and 2 were given")
        .hasMessageEndingWith("(RUNTRACE_CLICKHOUSE_REPLICATED, RUNTRACE_CLICKHOUSE_READER_URLS)");
  }
}
