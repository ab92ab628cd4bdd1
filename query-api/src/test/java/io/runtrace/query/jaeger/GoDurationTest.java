package io.runtrace.query.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void readsGoDurations() {
    assertThat(GoDuration.parseNanos("minDuration", "1.2s")).isEqualTo(1_200_000_000L);
    assertThat(GoDuration.parseNanos("minDuration", "100ms")).isEqualTo(100_000_000L);
    assertThat(GoDuration.parseNanos("minDuration", "1h30m")).isEqualTo(5_400_000_000_000L);
    assertThat(GoDuration.parseNanos("minDuration", "250us")).isEqualTo(250_000L);
    assertThat(GoDuration.parseNanos("minDuration", "250\u00b5s")).isEqualTo(250_000L);
    assertThat(GoDuration.parseNanos("minDuration", "7ns")).isEqualTo(7L);
    assertThat(GoDuration.parseNanos("minDuration", ".5s")).isEqualTo(500_000_000L);
    assertThat(GoDuration.parseNanos("minDuration", "+2m")).isEqualTo(120_000_000_000L);
    assertThat(GoDuration.parseNanos("minDuration", "0")).isZero();
  }

  @Test
  void badDurationsAre400sNamingTheParameter() {
    for (String bad : new String[] {"100", "1.2", "ms", "1d", "1..2s", "-1s", "1s2", "abc", "1e3s"}) {
      assertThatThrownBy(() -> GoDuration.parseNanos("maxDuration", bad)).as(bad)
          .isInstanceOfSatisfying(JaegerException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).startsWith("unable to parse param 'maxDuration': \"" + bad + "\"");
          });
    }
  }
}
