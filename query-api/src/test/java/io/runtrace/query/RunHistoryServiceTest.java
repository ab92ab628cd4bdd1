package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The service against a reader that is not there: it starts, says so, and never leaks details. */
class RunHistoryServiceTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void unreachableReaderIs503OnHealthAndQueries() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    ClickHouseDatabase reader = ClickHouseDatabase.builder().url(URI.create("http://127.0.0.1:" + deadPort))
        .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(2)).build();
    try (RunHistoryService service = RunHistoryService.builder().reader(reader).host("127.0.0.1").port(0).build().start()) {
      HttpResponse<String> health = get(service, "/health");
      HttpResponse<String> runs = get(service, "/v1/runs");

      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).startsWith("{\"status\":\"unavailable\",\"reason\":");
      assertThat(runs.statusCode()).isEqualTo(503);
      assertThat(runs.headers().firstValue("Retry-After")).isPresent();
      assertThat(runs.body()).isEqualTo("{\"error\":\"unavailable\",\"message\":\"the run history store did not answer; retry later\"}");
      assertThat(get(service, "/metrics").body())
          .contains("runtrace_query_clickhouse_errors_total{query=\"select_run_page\"} 1.0")
          .contains("runtrace_query_clickhouse_errors_total{query=\"select_trace_spans\"} 0.0");
    } finally {
      reader.close();
    }
  }

  @Test
  void portIsKnownOnlyAfterStart() {
    ClickHouseDatabase reader = ClickHouseDatabase.builder().url(URI.create("http://127.0.0.1:8123")).build();
    RunHistoryService service = RunHistoryService.builder().reader(reader).port(0).build();

    assertThatThrownBy(service::port).hasMessageContaining("not started");
    service.close();
    reader.close();
  }

  private HttpResponse<String> get(RunHistoryService service, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
