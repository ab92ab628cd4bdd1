package io.runtrace.clickhouse;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClickHouseDatabaseTest {
  @Test
  void builderNamesTheBadSetting() {
    assertThatThrownBy(() -> ClickHouseDatabase.builder().build()).hasMessageContaining("clickhouse url is required");
    assertThatThrownBy(() -> ClickHouseDatabase.builder().url(URI.create("tcp://x:9000")))
        .hasMessageContaining("clickhouse url must be http");
    assertThatThrownBy(() -> ClickHouseDatabase.builder().maxConnections(0)).hasMessageContaining("maxConnections");
    assertThatThrownBy(() -> ClickHouseDatabase.builder().maxExecutionTime(Duration.ofMillis(10)))
        .hasMessageContaining("maxExecutionTime");
    assertThatThrownBy(() -> ClickHouseDatabase.builder().database("a-b")).hasMessageContaining("identifier");
  }
}
