package io.runtrace.query.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JaegerTagsTest {
  @Test
  void readsJsonLogfmtAndKeyColonValue() {
    assertThat(JaegerTags.parse(List.of("{\"http.status_code\":\"500\",\"retry\":3}"), List.of()))
        .containsExactly(Map.entry("http.status_code", "500"), Map.entry("retry", "3"));
    assertThat(JaegerTags.parse(List.of("error=true  step=\"charge card\" q=\"a\\\"b\""), List.of()))
        .containsExactly(Map.entry("error", "true"), Map.entry("step", "charge card"), Map.entry("q", "a\"b"));
    assertThat(JaegerTags.parse(List.of(), List.of("url:http://x:80/a", "k:")))
        .containsExactly(Map.entry("url", "http://x:80/a"), Map.entry("k", ""));
  }

  @Test
  void malformedTagsAre400s() {
    for (String bad : List.of("{\"a\":", "[1]", "{\"a\":{\"b\":1}}", "{\"a\":null}", "justakey", "a=\"open")) {
      assertThatThrownBy(() -> JaegerTags.parse(List.of(bad), List.of())).as(bad)
          .isInstanceOfSatisfying(JaegerException.class, e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageStartingWith("unable to parse param 'tags'");
    }
    assertThatThrownBy(() -> JaegerTags.parse(List.of(), List.of("novalue")))
        .hasMessageStartingWith("unable to parse param 'tag': malformed 'tag' parameter, expecting key:value");
  }

  @Test
  void eachTagIsOneConditionOnTheSameSpanWithValuesEscaped() {
    String sql = JaegerTags.condition(JaegerTags.parse(List.of("{\"error\":\"true\",\"x'y\":\"a'); DROP\"}"), List.of()));

    assertThat(sql).isEqualTo(" AND (status_code = 'error'"
        + " OR arrayExists((x, y) -> x = 'error' AND y = 'true', attr_keys, attr_values)"
        + " OR arrayExists((x, y) -> x = 'error' AND y = 'true', resource_keys, resource_values))"
        + " AND (arrayExists((x, y) -> x = 'x\\'y' AND y = 'a\\'); DROP', attr_keys, attr_values)"
        + " OR arrayExists((x, y) -> x = 'x\\'y' AND y = 'a\\'); DROP', resource_keys, resource_values))");
  }
}
