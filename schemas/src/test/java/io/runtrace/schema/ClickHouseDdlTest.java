package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseDialect.Feature;
import org.junit.jupiter.api.Test;

class ClickHouseDdlTest {
  static final String TABLE = "CREATE TABLE IF NOT EXISTS ${database}.t\n(\n    a ${lowcardinality:String},\n"
      + "    b UInt64 ${codec:Delta, ZSTD(1)}\n    ${index:b_minmax b TYPE minmax GRANULARITY 4}\n)\n"
      + "ENGINE = ${engine:ReplacingMergeTree(b)}\nORDER BY a\n${settings}";

  @Test
  void replicatedEnginesGetThePathOfTheirDatabaseAndTable() {
    assertThat(new ClickHouseDdl("db", true, ClickHouseDialect.legacy()).expand(TABLE)).isEqualTo(
        "CREATE TABLE IF NOT EXISTS db.t\n(\n    a String,\n    b UInt64\n)\n"
            + "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}', b)\nORDER BY a");
  }

  @Test
  void modernFeaturesAndSingleServerSettings() {
    assertThat(new ClickHouseDdl("db", false, ClickHouseDialect.legacy().without()).expand(TABLE))
        .contains("ENGINE = ReplacingMergeTree(b)").doesNotContain("SETTINGS");
    ClickHouseDialect modern = ClickHouseDialect.of(io.runtrace.clickhouse.ClickHouseVersion.parse("24.8.1"));
    assertThat(new ClickHouseDdl("db", false, modern).expand(TABLE)).isEqualTo(
        "CREATE TABLE IF NOT EXISTS db.t\n(\n    a LowCardinality(String),\n    b UInt64 CODEC(Delta, ZSTD(1)),\n"
            + "    INDEX b_minmax b TYPE minmax GRANULARITY 4\n)\nENGINE = ReplacingMergeTree(b)\nORDER BY a\n"
            + "SETTINGS non_replicated_deduplication_window = 1000");
    assertThat(new ClickHouseDdl("db", true, modern.without(Feature.CODECS)).expand(TABLE))
        .contains("b UInt64,").contains("a LowCardinality(String)").doesNotContain("SETTINGS");
  }

  @Test
  void engineWithoutArgumentsAndAMaterializedView() {
    String view = "CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.v ENGINE = ${engine:MergeTree()} ORDER BY x AS SELECT 1 AS x";
    assertThat(new ClickHouseDdl("db", true, ClickHouseDialect.legacy()).expand(view))
        .contains("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db/v', '{replica}') ORDER BY x");
  }

  @Test
  void badMacrosNameThemselves() {
    ClickHouseDdl ddl = new ClickHouseDdl("db", true, ClickHouseDialect.legacy());
    assertThatThrownBy(() -> ddl.expand("SELECT ${nope}")).hasMessageStartingWith("unknown macro ${nope}");
    assertThatThrownBy(() -> ddl.expand("SELECT ${codec}")).hasMessage("${codec:…} needs an argument");
    assertThatThrownBy(() -> ddl.expand("ALTER TABLE x ENGINE = ${engine:MergeTree()}"))
        .hasMessageStartingWith("${engine:…} outside CREATE TABLE");
    assertThatThrownBy(() -> ddl.expand("CREATE TABLE IF NOT EXISTS d.t ENGINE = ${engine:Log}"))
        .hasMessageStartingWith("${engine:…} must name a *MergeTree engine");
  }
}
