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
    TestKeys keys = TestKeys.forTenants("acme");
    try (RunHistoryService service = RunHistoryService.builder().reader(reader).apiKeyFile(keys.file).host("127.0.0.1")
        .port(0).build().start()) {
      HttpResponse<String> health = get(service, "/health", null);
      HttpResponse<String> runs = get(service, "/v1/runs", keys.bearer("acme"));

      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).startsWith("{\"status\":\"unavailable\",\"reason\":");
      assertThat(runs.statusCode()).isEqualTo(503);
      assertThat(runs.headers().firstValue("Retry-After")).isPresent();
      assertThat(runs.body()).isEqualTo("{\"error\":\"unavailable\",\"message\":\"the run history store did not answer; retry later\"}");
      assertThat(get(service, "/metrics", null).body())
          .contains("runtrace_query_clickhouse_errors_total{query=\"select_run_page\"} 1.0")
          .contains("runtrace_query_clickhouse_errors_total{query=\"select_trace_spans\"} 0.0")
          // Buckets, so that a dashboard can take a p99 over many instances with histogram_quantile.
          .contains("runtrace_query_http_requests_seconds_bucket{route=\"/v1/runs\",status=\"503\",le=\"0.005\"}")
          .contains("runtrace_query_http_requests_seconds_bucket{route=\"/v1/runs\",status=\"503\",le=\"10.0\"} 1");
    } finally {
      reader.close();
    }
  }

  @Test
  void portIsKnownOnlyAfterStart() {
    ClickHouseDatabase reader = ClickHouseDatabase.builder().url(URI.create("http://127.0.0.1:8123")).build();
    RunHistoryService service = RunHistoryService.builder().reader(reader).allowUnauthenticated(true).port(0).build();

    assertThatThrownBy(service::port).hasMessageContaining("not started");
    service.close();
    reader.close();
  }

  @Test
  void withoutAKeyFileTheServiceDoesNotBuildUnlessToldToServeUnauthenticated() {
    ClickHouseDatabase reader = ClickHouseDatabase.builder().url(URI.create("http://127.0.0.1:8123")).build();
    try {
      assertThatThrownBy(() -> RunHistoryService.builder().reader(reader).build())
          .hasMessageStartingWith("apiKeyFile is required");
      assertThatThrownBy(() -> RunHistoryService.builder().reader(reader).allowUnauthenticated(true)
          .apiKeyFile(java.nio.file.Path.of("k.json")).build()).hasMessageContaining("exclude each other");
      assertThatThrownBy(() -> RunHistoryService.builder().reader(reader).apiKeyFile(java.nio.file.Path.of("/nonexistent/k.json"))
          .host("127.0.0.1").port(0).build().start())
          .hasMessageStartingWith("apiKeyFile /nonexistent/k.json does not exist; create a key with bin/runtrace-keys create");
    } finally {
      reader.close();
    }
  }

  @Test
  void unauthenticatedServiceServesAnyTenantWithoutAKey() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    ClickHouseDatabase reader = ClickHouseDatabase.builder().url(URI.create("http://127.0.0.1:" + deadPort))
        .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(2)).build();
    try (RunHistoryService service = RunHistoryService.builder().reader(reader).allowUnauthenticated(true)
        .host("127.0.0.1").port(0).build().start()) {
      // Past authentication (no 401) to the reader, which is not there.
      assertThat(get(service, "/v1/runs?tenant=anyone", null).statusCode()).isEqualTo(503);
      assertThat(get(service, "/metrics", null).body()).doesNotContain("credential=\"api_key\"");
    } finally {
      reader.close();
    }
  }

  private HttpResponse<String> get(RunHistoryService service, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path));
    if (authorization != null) request.header("Authorization", authorization);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
