package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseMigrationTest {
  @Test
  void loadsEveryFileInOrderWithTheDatabaseFilledIn() {
    List<ClickHouseMigration> all = ClickHouseMigration.loadAll("rt_test");
    assertThat(all).extracting(ClickHouseMigration::version).containsExactly(1, 2);
    assertThat(all.get(0).statements()).hasSize(1);
    assertThat(all.get(0).statements().get(0))
        .startsWith("CREATE TABLE IF NOT EXISTS rt_test.spans")
        .contains("'/clickhouse/tables/{shard}/rt_test/spans', '{replica}'")
        .doesNotContain("${database}", "--");
  }

  @Test
  void avoidsWhatClickHouse1816Lacks() {
    for (String sql : SchemaMigrator.clickHouseStatements("runtrace")) {
      assertThat(sql).doesNotContainIgnoringCase("DateTime64").doesNotContain("Map(")
          .doesNotContainPattern("(?i)\\bTTL\\b").doesNotContainPattern("(?i)\\bINDEX\\b")
          .doesNotContain("LowCardinality");
    }
  }

  @Test
  void splitsStatementsOnLineEndingSemicolons() {
    assertThat(ClickHouseMigration.split("-- c\nCREATE TABLE a (x String);\nSELECT 1;\n"))
        .containsExactly("CREATE TABLE a (x String)", "SELECT 1");
  }

  @Test
  void checksumIgnoresTheDatabaseName() {
    assertThat(ClickHouseMigration.loadAll("a").get(0).checksum())
        .isEqualTo(ClickHouseMigration.loadAll("b").get(0).checksum());
  }

  @Test
  void rejectsBadFileNames() {
    assertThatThrownBy(() -> ClickHouseMigration.parse("spans.sql", "", "db")).hasMessageContaining("V001__name.sql");
  }
}
