package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.query.auth.Caller;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryParametersTest {
  static final RunFilter.RunListSettings SETTINGS =
      RunHistoryApi.listSettings(50, 1000, java.time.Duration.ofDays(7), java.time.Duration.ofDays(31));
  static final java.time.Clock CLOCK = java.time.Clock.fixed(java.time.Instant.parse("2026-11-30T12:00:00Z"),
      java.time.ZoneOffset.UTC);

  @Test
  void defaultsWhenNothingIsGiven() {
    RunFilter f = RunFilter.parse(null, SETTINGS, CLOCK, Caller.anyTenant());

    assertThat(f.limit()).isEqualTo(50);
    assertThat(f.statuses()).isEmpty();
    assertThat(f.tenant()).isEmpty();
  }

  @Test
  void emptyValuesCountAsAbsent() {
    RunFilter f = RunFilter.parse("limit=50&tenant=&environment=&status=&function=&app=", SETTINGS, CLOCK, Caller.anyTenant());

    assertThat(f.tenant()).isEmpty();
    assertThat(f.statuses()).isEmpty();
  }

  @Test
  void decodesValuesAndParsesStatusList() {
    RunFilter f = RunFilter.parse("tenant=acme%20corp&status=FAILED,timed_out,failed&limit=7", SETTINGS, CLOCK, Caller.anyTenant());

    assertThat(f.tenant()).isEqualTo(Optional.of("acme corp"));
    assertThat(f.statuses()).isEqualTo(List.of("failed", "timed_out"));
    assertThat(f.limit()).isEqualTo(7);
  }

  @Test
  void limitOutOfRange() {
    assertThatThrownBy(() -> RunFilter.parse("limit=0", SETTINGS, CLOCK, Caller.anyTenant()))
        .isInstanceOf(ApiException.class).hasMessage("limit must be 1..1000, was 0");
    assertThatThrownBy(() -> RunFilter.parse("limit=1001", SETTINGS, CLOCK, Caller.anyTenant()))
        .hasMessage("limit must be 1..1000, was 1001");
  }

  @Test
  void limitNotANumber() {
    assertThatThrownBy(() -> RunFilter.parse("limit=ten", SETTINGS, CLOCK, Caller.anyTenant()))
        .isInstanceOf(ApiException.class).hasMessage("limit must be 1..1000, was \"ten\"");
  }

  @Test
  void unknownStatus() {
    assertThatThrownBy(() -> RunFilter.parse("status=done", SETTINGS, CLOCK, Caller.anyTenant()))
        .hasMessageStartingWith("status must be one of queued, running, waiting, completed, failed, cancelled, timed_out");
  }

  @Test
  void overLongValue() {
    String query = "tenant=" + "a".repeat(257);

    assertThatThrownBy(() -> RunFilter.parse(query, SETTINGS, CLOCK, Caller.anyTenant()))
        .hasMessage("tenant must be at most 256 characters, was 257");
  }

  @Test
  void unknownAndRepeatedParameters() {
    assertThatThrownBy(() -> RunFilter.parse("stauts=failed", SETTINGS, CLOCK, Caller.anyTenant()))
        .hasMessageStartingWith("unknown parameter \"stauts\"");
    assertThatThrownBy(() -> RunFilter.parse("app=a&app=b", SETTINGS, CLOCK, Caller.anyTenant()))
        .hasMessage("app given more than once");
  }

  @Test
  void malformedPercentEncoding() {
    assertThatThrownBy(() -> RunFilter.parse("tenant=%zz", SETTINGS, CLOCK, Caller.anyTenant()))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void runIdPattern() {
    assertThat(QueryParameters.runId("01HZX.run:7_a-b")).isEqualTo("01HZX.run:7_a-b");
    assertThatThrownBy(() -> QueryParameters.runId("x' OR 1=1 --"))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    assertThatThrownBy(() -> QueryParameters.runId("a".repeat(129))).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> QueryParameters.runId("")).isInstanceOf(ApiException.class);
  }
}
