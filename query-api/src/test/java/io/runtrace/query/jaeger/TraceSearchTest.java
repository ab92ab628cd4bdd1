package io.runtrace.query.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceSearchTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L;

  @Test
  void defaultsAreTheLastHourAndTwentyTraces() {
    TraceSearch s = TraceSearch.parse("service=executor&lookback=1h", CLOCK, Duration.ofDays(31));

    assertThat(s.service()).isEqualTo("executor");
    assertThat(s.operation()).isEmpty();
    assertThat(s.limit()).isEqualTo(20);
    assertThat(s.toNanos()).isEqualTo(NOW_NANOS);
    assertThat(s.fromNanos()).isEqualTo(NOW_NANOS - 3_600_000_000_000L);
    assertThat(s.minDurationNanos()).isZero();
    assertThat(s.maxDurationNanos()).isZero();
  }

  @Test
  void readsEveryParameter() {
    TraceSearch s = TraceSearch.parse("service=executor&operation=charge&tags=%7B%22step%22%3A%22charge%22%7D"
        + "&minDuration=1.5ms&maxDuration=2s&limit=5&start=1764500000000000&end=1764503600000000", CLOCK,
        Duration.ofDays(31));

    assertThat(s.operation()).hasValue("charge");
    assertThat(s.tags()).containsExactly(Map.entry("step", "charge"));
    assertThat(s.minDurationNanos()).isEqualTo(1_500_000L);
    assertThat(s.maxDurationNanos()).isEqualTo(2_000_000_000L);
    assertThat(s.limit()).isEqualTo(5);
    assertThat(s.fromNanos()).isEqualTo(1_764_500_000_000_000_000L);
    assertThat(s.toNanos()).isEqualTo(1_764_503_600_000_000_000L);
  }

  @Test
  void badSearchesAre400sInJaegersWords() {
    Duration max = Duration.ofDays(31);
    assertThatThrownBy(() -> TraceSearch.parse("operation=x", CLOCK, max)).hasMessage("parameter 'service' is required");
    assertThatThrownBy(() -> TraceSearch.parse("service=a&minDuration=2s&maxDuration=1s", CLOCK, max))
        .hasMessage("'maxDuration' should be greater than 'minDuration'");
    assertThatThrownBy(() -> TraceSearch.parse("service=a&start=1764503600000000&end=1764500000000000", CLOCK, max))
        .hasMessageStartingWith("unable to parse param 'start': must be before 'end'");
    assertThatThrownBy(() -> TraceSearch.parse("service=a&start=1000000000000000&end=1764500000000000", CLOCK, max))
        .hasMessageStartingWith("unable to parse param 'start': the window from 'start' to 'end' is longer than 744 h");
    assertThatThrownBy(() -> TraceSearch.parse("service=a&limit=1000", CLOCK, max))
        .hasMessageStartingWith("unable to parse param 'limit'");
  }
}
