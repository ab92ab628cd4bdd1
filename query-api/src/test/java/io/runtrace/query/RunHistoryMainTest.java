package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunHistoryMainTest {
  @Test
  void defaults() {
    TestKeys keys = TestKeys.forTenants("acme");
    RunHistoryServiceBuilder builder = RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_API_KEYS_FILE", keys.file.toString()));

    assertThat(builder.build().readerUrl().toString()).isEqualTo("http://127.0.0.1:8123");
    assertThat(builder.apiKeyFile).isEqualTo(keys.file);
    assertThat(builder.apiKeyReloadInterval).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(builder.tenantMaxInFlight).isEqualTo(4);
    assertThat(builder.tenantRatePerSecond).isEqualTo(20.0);
    assertThat(builder.tenantBurst).isEqualTo(40);
  }

  @Test
  void withoutAKeyFileStartUpFailsSayingHowToMakeOneOrToServeUnauthenticated() {
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_API_KEYS_FILE", "/nonexistent/keys.json")))
        .hasMessage("RUNTRACE_QUERY_API_KEYS_FILE: no key file at /nonexistent/keys.json; create a key with"
            + " bin/runtrace-keys create --tenant <tenant>, or set RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED=true to serve"
            + " every tenant without keys (local use only)");
    assertThat(RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED", "true")).allowUnauthenticated)
        .isTrue();
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED", "yes")))
        .hasMessage("RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED must be true or false, was \"yes\"");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED", "true",
        "RUNTRACE_QUERY_API_KEYS_FILE", "k.json"))).hasMessageContaining("exclude each other");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_PORT", "80a")))
        .hasMessage("RUNTRACE_QUERY_PORT must be an integer 0..65535, was \"80a\"");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_READER_URL", "tcp://x:9000")))
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_READER_URL: ");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_DATABASE", "run-trace")))
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_DATABASE: ");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_THREADS", "0")))
        .hasMessageStartingWith("RUNTRACE_QUERY_THREADS must be an integer 1..256");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_TENANT_MAX_IN_FLIGHT", "0")))
        .hasMessageStartingWith("RUNTRACE_QUERY_TENANT_MAX_IN_FLIGHT must be an integer 1..256");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_TENANT_RATE_PER_SECOND", "fast")))
        .hasMessageStartingWith("RUNTRACE_QUERY_TENANT_RATE_PER_SECOND must be an integer 1..100000");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_TENANT_BURST", "-1")))
        .hasMessageStartingWith("RUNTRACE_QUERY_TENANT_BURST must be an integer 1..100000");
  }
}
