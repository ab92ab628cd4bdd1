package io.runtrace.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDialect.Feature;
import org.junit.jupiter.api.Test;

class ClickHouseDialectTest {
  @Test
  void releasesFrom223GetEveryFeatureOlderOnesNone() {
    ClickHouseDialect v1816 = ClickHouseDialect.of(ClickHouseVersion.parse("18.16.1"));
    ClickHouseDialect v2112 = ClickHouseDialect.of(ClickHouseVersion.parse("21.12.4.1"));
    ClickHouseDialect v223 = ClickHouseDialect.of(ClickHouseVersion.parse("22.3.1"));
    ClickHouseDialect v267 = ClickHouseDialect.of(ClickHouseVersion.parse("26.7.2.1"));
    for (Feature f : Feature.values()) {
      assertThat(v1816.has(f)).isFalse();
      assertThat(v2112.has(f)).isFalse();
      assertThat(v223.has(f)).isTrue();
      assertThat(v267.has(f)).isTrue();
    }
    assertThat(v1816.lowCardinality("String")).isEqualTo("String");
    assertThat(v267.lowCardinality("String")).isEqualTo("LowCardinality(String)");
    assertThat(v1816.codec("ZSTD(1)")).isEmpty();
    assertThat(v267.codec("Delta, ZSTD(1)")).isEqualTo("CODEC(Delta, ZSTD(1))");
  }

  @Test
  void readsCollapseVersionsWithinPartitionsWhereTheServerCan() {
    assertThat(ClickHouseDialect.of(ClickHouseVersion.parse("26.7.2.1")).readSettings())
        .containsExactly(java.util.Map.entry("do_not_merge_across_partitions_select_final", "1"));
    assertThat(ClickHouseDialect.legacy().readSettings()).isEmpty();
  }

  @Test
  void withoutDropsOnlyTheNamedFeatures() {
    ClickHouseDialect d = ClickHouseDialect.of(ClickHouseVersion.parse("26.7")).without(Feature.CODECS);
    assertThat(d.has(Feature.CODECS)).isFalse();
    assertThat(d.has(Feature.LOW_CARDINALITY)).isTrue();
    assertThat(d.codec("ZSTD(1)")).isEmpty();
  }

  @Test
  void versionsParseAndCompare() {
    assertThat(ClickHouseVersion.parse("26.7.2.1")).isEqualTo(new ClickHouseVersion(26, 7, "26.7.2.1"));
    assertThat(ClickHouseVersion.parse("18.16.1").atLeast(18, 16)).isTrue();
    assertThat(ClickHouseVersion.parse("18.16.1").atLeast(19, 1)).isFalse();
    assertThat(ClickHouseVersion.parse("22.3").compareTo(ClickHouseVersion.parse("22.10"))).isNegative();
    assertThatThrownBy(() -> ClickHouseVersion.parse("latest")).hasMessage("not a ClickHouse version: latest");
  }
}
