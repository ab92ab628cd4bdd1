package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseMigrationTest {
  static final ClickHouseDialect V18 = ClickHouseDialect.of(ClickHouseVersion.parse("18.16.1"));
  static final ClickHouseDialect V26 = ClickHouseDialect.of(ClickHouseVersion.parse("26.7.2.1"));

  @Test
  void loadsEveryFileInOrderWithTheDatabaseFilledIn() {
    List<ClickHouseMigration> all = ClickHouseMigration.loadAll();
    assertThat(all).extracting(ClickHouseMigration::version).containsExactly(1, 2, 3);
    List<String> spans = all.get(0).statements(new ClickHouseDdl("rt_test", true, V18));
    assertThat(spans).hasSize(1);
    assertThat(spans.get(0))
        .startsWith("CREATE TABLE IF NOT EXISTS rt_test.spans")
        .contains("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/rt_test/spans', '{replica}', version)")
        .doesNotContain("${", "--");
  }

  @Test
  void theSameFilesGivePlainEnginesOnASingleServer() {
    for (String sql : SchemaMigrator.clickHouseStatements("runtrace", false, V26)) {
      assertThat(sql).doesNotContain("Replicated");
      if (ClickHouseMigrator.isData(sql)) continue;
      assertThat(sql).contains("ENGINE = ReplacingMergeTree(version)")
          .containsPattern("SETTINGS (index_granularity = 1024, )?non_replicated_deduplication_window = "
              + ClickHouseDdl.DEDUPLICATION_WINDOW + "$");
    }
    for (String sql : SchemaMigrator.clickHouseStatements("runtrace", false, V18)) {
      if (ClickHouseMigrator.isData(sql)) continue;
      assertThat(sql).contains("ENGINE = ReplacingMergeTree(version)").doesNotContain("non_replicated");
    }
  }

  @Test
  void avoidsWhatClickHouse1816LacksOnThe1816Path() {
    for (boolean replicated : new boolean[] {true, false}) {
      for (String sql : SchemaMigrator.clickHouseStatements("runtrace", replicated, V18)) {
        assertThat(sql).doesNotContainIgnoringCase("DateTime64").doesNotContain("Map(")
            .doesNotContainPattern("(?i)\\bTTL\\b").doesNotContainPattern("(?i)\\bINDEX\\b")
            .doesNotContain("LowCardinality").doesNotContain("CODEC").doesNotContain("${");
      }
    }
  }

  @Test
  void usesLowCardinalityEverywhereAndCodecsOnSpansOnModernServers() {
    List<String> statements = SchemaMigrator.clickHouseStatements("runtrace", true, V26);
    assertThat(statements.get(0)).contains("tenant LowCardinality(String),", "attr_keys Array(LowCardinality(String)),",
        "span_id String CODEC(ZSTD(1)),", "start_unix_nano UInt64 CODEC(Delta, ZSTD(1)),");
    assertThat(statements.get(1)).contains("status LowCardinality(String),", "run_id String,")
        .doesNotContain("CODEC", "INDEX");
  }

  @Test
  void filesFirstReleasedWithoutMacrosExpandToExactlyWhatTheyWere() throws IOException {
    List<ClickHouseMigration> current = ClickHouseMigration.loadAll();
    for (String file : List.of("V001__spans.sql", "V002__runs.sql")) {
      String before = resource("/io/runtrace/schema/before-macros/" + file);
      ClickHouseMigration old = ClickHouseMigration.parse(file, before);
      ClickHouseMigration now = current.stream().filter(m -> m.version() == old.version()).findFirst().orElseThrow();
      assertThat(ClickHouseMigration.EARLIER_CHECKSUMS.get(old.version())).contains(old.checksum());
      assertThat(now.matches(old.checksum())).isTrue();
      assertThat(now.statements(new ClickHouseDdl("rt", true, V18)))
          .isEqualTo(old.statements(new ClickHouseDdl("rt", true, V18)));
    }
  }

  @Test
  void splitsStatementsOnLineEndingSemicolons() {
    assertThat(ClickHouseMigration.split("-- c\nCREATE TABLE a (x String);\nSELECT 1;\n"))
        .containsExactly("CREATE TABLE a (x String)", "SELECT 1");
  }

  @Test
  void checksumIsOfTheFileAsWritten() {
    ClickHouseMigration spans = ClickHouseMigration.loadAll().get(0);
    assertThat(spans.checksum()).isEqualTo(ClickHouseMigration.sha256(ClickHouseMigration.read("V001__spans.sql")));
    assertThat(spans.matches("0".repeat(64))).isFalse();
  }

  @Test
  void rejectsBadFileNames() {
    assertThatThrownBy(() -> ClickHouseMigration.parse("spans.sql", "")).hasMessageContaining("V001__name.sql");
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = ClickHouseMigrationTest.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
