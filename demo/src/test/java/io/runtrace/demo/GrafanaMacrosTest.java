package io.runtrace.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.demo.GrafanaMacros.Variable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expansions of dashboards/README.md's table, as grafana/clickhouse-datasource v4.20.0 writes them. */
class GrafanaMacrosTest {
  static final Instant FROM = Instant.parse("2026-12-01T10:15:30.250Z");
  static final Instant TO = Instant.parse("2026-12-02T00:00:05Z");

  @Test
  void theFiveMacrosExpandAsThePluginDoes() {
    assertThat(GrafanaMacros.expandMacros("$__timeFilter(created_time)", FROM, TO, Duration.ofMinutes(1)))
        .isEqualTo("created_time >= toDateTime(1796120130) AND created_time <= toDateTime(1796169605)");
    assertThat(GrafanaMacros.expandMacros("$__dateFilter(day)", FROM, TO, Duration.ofMinutes(1)))
        .isEqualTo("day >= toDate('2026-12-01') AND day <= toDate('2026-12-02')");
    assertThat(GrafanaMacros.expandMacros("toStartOfHour($__fromTime) AND $__toTime", FROM, TO, Duration.ZERO))
        .isEqualTo("toStartOfHour(toDateTime(1796120130)) AND toDateTime(1796169605)");
    assertThat(GrafanaMacros.expandMacros("intDiv(t, $__interval_s) * $__interval_s", FROM, TO, Duration.ofMillis(90_500)))
        .isEqualTo("intDiv(t, 90) * 90");
    assertThat(GrafanaMacros.expandMacros("$__interval_s", FROM, TO, Duration.ofMillis(200)))
        .as("at least one second").isEqualTo("1");
  }

  @Test
  void otherMacrosAndWrongArgumentsFail() {
    assertThatThrownBy(() -> GrafanaMacros.expandMacros("$__timeInterval(t)", FROM, TO, Duration.ofMinutes(1)))
        .hasMessageContaining("$__timeInterval");
    assertThatThrownBy(() -> GrafanaMacros.expandMacros("$__fromTime_ms", FROM, TO, Duration.ofMinutes(1)))
        .hasMessageContaining("$__fromTime_ms");
    assertThatThrownBy(() -> GrafanaMacros.expandMacros("$__timeFilter(a, b)", FROM, TO, Duration.ofMinutes(1)))
        .hasMessageContaining("expected 1 argument(s), received 2");
  }

  @Test
  void variablesAreReplacedAsGrafanaFormatsThem() {
    Map<String, Variable> vars = Map.of(
        "tenant", Variable.single("o'brien"),
        "environment", Variable.all(List.of("production", "staging")),
        "function", Variable.of(List.of("a", "b", "c"), List.of("b")));
    assertThat(GrafanaMacros.replaceVariables(
        "t = ${tenant:sqlstring} AND e IN (${environment:sqlstring}) AND f IN (${function:sqlstring}) AND $__fromTime",
        vars)).isEqualTo("t = 'o''brien' AND e IN ('production','staging') AND f IN ('b') AND $__fromTime");
    assertThat(GrafanaMacros.replaceVariables("'$tenant' [[environment]] ${function:raw} $unknown", vars))
        .as("the plugin's default format, and names that are no variable")
        .isEqualTo("'o'brien' 'production','staging' b $unknown");
  }
}
