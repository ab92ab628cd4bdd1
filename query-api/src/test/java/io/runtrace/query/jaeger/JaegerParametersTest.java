package io.runtrace.query.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JaegerParametersTest {
  private static final Set<String> NAMES = Set.of("start", "end", "limit", "tag", "tags", "service");

  @Test
  void timesAreUnixMicrosecondsAndSmallValuesMilliseconds() {
    JaegerParameters p = JaegerParameters.parse("start=1735787045123456&end=1735787045123", NAMES);

    assertThat(p.timeNanos("start")).hasValue(1_735_787_045_123_456_000L);
    // Grafana's Jaeger data source sends milliseconds for a trace by id; as microseconds they would be 1970.
    assertThat(p.timeNanos("end")).hasValue(1_735_787_045_123_000_000L);
    assertThat(p.timeNanos("limit")).isEmpty();
  }

  @Test
  void badTimesAndLimitsAre400sNamingTheParameter() {
    assertThatThrownBy(() -> JaegerParameters.parse("start=yesterday", NAMES).timeNanos("start"))
        .hasMessageStartingWith("unable to parse param 'start'");
    assertThatThrownBy(() -> JaegerParameters.parse("end=-5", NAMES).timeNanos("end"))
        .hasMessageStartingWith("unable to parse param 'end'");
    assertThatThrownBy(() -> JaegerParameters.parse("limit=0", NAMES).limit("limit", 20, 100))
        .hasMessage("unable to parse param 'limit': must be 1..100, was 0");
    assertThatThrownBy(() -> JaegerParameters.parse("limit=101", NAMES).limit("limit", 20, 100))
        .hasMessage("unable to parse param 'limit': must be 1..100, was 101");
    assertThatThrownBy(() -> JaegerParameters.parse("limit=ten", NAMES).limit("limit", 20, 100))
        .hasMessageStartingWith("unable to parse param 'limit'");
    assertThat(JaegerParameters.parse("limit=", NAMES).limit("limit", 20, 100)).isEqualTo(20);
  }

  @Test
  void unknownNamesAreRejectedAndOnlyTagRepeats() {
    assertThatThrownBy(() -> JaegerParameters.parse("servce=x", NAMES))
        .isInstanceOfSatisfying(JaegerException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageStartingWith("unknown parameter \"servce\"");
    assertThatThrownBy(() -> JaegerParameters.parse("service=a&service=b", NAMES))
        .hasMessage("unable to parse param 'service': given more than once");
    assertThat(JaegerParameters.parse("tag=a:1&tag=b:2", NAMES).all("tag")).containsExactly("a:1", "b:2");
  }

  @Test
  void pathSegmentsKeepTheirPlus() {
    assertThat(JaegerParameters.decodePath("a+b%20c%2Fd")).isEqualTo("a+b c/d");
    assertThat(List.of(JaegerParameters.parse("service=a+b", NAMES).text("service").orElseThrow())).containsExactly("a b");
  }
}
