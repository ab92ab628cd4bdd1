package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The readers from the environment: a list, the older single variable, and what is refused. */
class RunHistoryMainReadersTest {
  @Test
  void aCommaSeparatedListOfReaders() {
    RunHistoryService service = RunHistoryMain.fromEnvironment(
        Map.of("RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123, http://r2:8124",
            "RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED", "true")).build();

    assertThat(service.readerUrls()).containsExactly(URI.create("http://r1:8123"), URI.create("http://r2:8124"));
  }

  @Test
  void theOneReaderVariableStillWorks() {
    RunHistoryService service = RunHistoryMain.fromEnvironment(
        Map.of("RUNTRACE_CLICKHOUSE_READER_URL", "http://r1:8123", "RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED", "true")).build();

    assertThat(service.readerUrls()).containsExactly(URI.create("http://r1:8123"));
  }

  @Test
  void malformedReadersNameTheVariable() {
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123,,http://r2:1")))
        .hasMessage("RUNTRACE_CLICKHOUSE_READER_URLS must be comma-separated http(s)://host:port URLs, was"
            + " \"http://r1:8123,,http://r2:1\" (an empty entry)");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123,tcp://r2:9000")))
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_READER_URLS: clickhouse url must be http(s)://host:port");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_READER_URLS", "http://r 1:8123")))
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_READER_URLS: ");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123,http://r1:8123")))
        .hasMessage("RUNTRACE_CLICKHOUSE_READER_URLS: readers lists http://r1:8123 twice");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_CLICKHOUSE_READER_URLS", "http://r1:8123",
        "RUNTRACE_CLICKHOUSE_READER_URL", "http://r2:8123")))
        .hasMessage("RUNTRACE_CLICKHOUSE_READER_URLS and RUNTRACE_CLICKHOUSE_READER_URL are both set; set only"
            + " RUNTRACE_CLICKHOUSE_READER_URLS");
  }

  @Test
  void routingSettingsNameTheirVariables() {
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_READER_CHECK_INTERVAL_MS", "50")))
        .hasMessage("RUNTRACE_QUERY_READER_CHECK_INTERVAL_MS must be an integer 100..3600000, was \"50\"");
    assertThatThrownBy(() -> RunHistoryMain.fromEnvironment(Map.of("RUNTRACE_QUERY_MAX_REPLICA_DELAY_SECONDS", "-1")))
        .hasMessage("RUNTRACE_QUERY_MAX_REPLICA_DELAY_SECONDS must be an integer 0..86400, was \"-1\"");
  }
}
