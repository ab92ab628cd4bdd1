package io.runtrace.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseSqlTest {
  @Test
  void literalEscapesQuotesAndBackslashes() {
    assertThat(ClickHouseSql.literal("x' OR 1=1 --")).isEqualTo("'x\\' OR 1=1 --'");
    assertThat(ClickHouseSql.literal("a\\'b")).isEqualTo("'a\\\\\\'b'");
  }

  @Test
  void literalEscapesControlCharacters() {
    assertThat(ClickHouseSql.literal("a\nb\tc\0d\u0001")).isEqualTo("'a\\nb\\tc\\0d\\x01'");
  }

  @Test
  void literalKeepsUnicode() {
    assertThat(ClickHouseSql.literal("zürich ✓")).isEqualTo("'zürich ✓'");
  }

  @Test
  void literalsBuildsAnInList() {
    assertThat(ClickHouseSql.literals(List.of("a", "b'"))).isEqualTo("('a', 'b\\'')");
    assertThatThrownBy(() -> ClickHouseSql.literals(List.of())).hasMessageContaining("at least one");
  }

  @Test
  void identifierRejectsAnythingButPlainNames() {
    assertThat(ClickHouseSql.identifier("runtrace_1")).isEqualTo("runtrace_1");
    assertThatThrownBy(() -> ClickHouseSql.identifier("runs; DROP TABLE x")).hasMessageContaining("identifier");
    assertThatThrownBy(() -> ClickHouseSql.identifier("")).isInstanceOf(IllegalArgumentException.class);
  }
}
