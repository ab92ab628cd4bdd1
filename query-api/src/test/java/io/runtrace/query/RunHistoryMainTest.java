package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunHistoryMainTest {
  @Test
  void defaults() {
    RunHistoryService service = RunHistoryMain.fromEnvironment(Map.of()).build();

    assertThat(service.readerUrl().toString()).isEqualTo("http://127.0.0.1:8123");
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
  }
}
