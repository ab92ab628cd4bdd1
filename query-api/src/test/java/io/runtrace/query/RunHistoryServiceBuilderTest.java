package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunHistoryServiceBuilderTest {
  @Test
  void readerIsRequired() {
    assertThatThrownBy(() -> RunHistoryService.builder().build())
        .hasMessageContaining("reader is required");
  }

  @Test
  void settersNameTheSetting() {
    assertThatThrownBy(() -> RunHistoryService.builder().port(70_000)).hasMessage("port must be 0..65535, was 70000");
    assertThatThrownBy(() -> RunHistoryService.builder().maxPageSize(0)).hasMessage("maxPageSize must be 1..100000, was 0");
    assertThatThrownBy(() -> RunHistoryService.builder().threads(0)).hasMessage("threads must be 1..256, was 0");
    assertThatThrownBy(() -> RunHistoryService.builder().queueCapacity(0)).hasMessage("queueCapacity must be 1..100000, was 0");
    assertThatThrownBy(() -> RunHistoryService.builder().maxSpansPerTrace(0))
        .hasMessage("maxSpansPerTrace must be 1..1000000, was 0");
    assertThatThrownBy(() -> RunHistoryService.builder().tenantMaxInFlight(0)).hasMessage("tenantMaxInFlight must be 1..256, was 0");
    assertThatThrownBy(() -> RunHistoryService.builder().tenantRatePerSecond(0))
        .hasMessage("tenantRatePerSecond must be 0.01..100000, was 0.0");
    assertThatThrownBy(() -> RunHistoryService.builder().tenantBurst(0)).hasMessage("tenantBurst must be 1..100000, was 0");
    assertThatThrownBy(() -> RunHistoryService.builder().apiKeyReloadInterval(java.time.Duration.ZERO))
        .hasMessage("apiKeyReloadInterval must be 10 ms..1 hour, was PT0S");
  }
}
