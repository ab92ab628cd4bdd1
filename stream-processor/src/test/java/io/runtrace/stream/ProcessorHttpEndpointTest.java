package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A real server on a free port, called with a real client. */
class ProcessorHttpEndpointTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void healthSaysOkOrUnavailableWithTheReason() throws Exception {
    AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
    try (ProcessorHttpEndpoint http = new ProcessorHttpEndpoint(0, problem::get, () -> "")) {
      http.start();
      HttpResponse<String> ok = get(http, "/health");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");

      problem.set(Optional.of("ClickHouse at http://127.0.0.1:1 refused the writer's login: \"quoted\""));
      HttpResponse<String> down = get(http, "/health");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(Json.MAPPER.readTree(down.body()).get("status").asText()).isEqualTo("unavailable");
      assertThat(Json.MAPPER.readTree(down.body()).get("reason").asText())
          .isEqualTo("ClickHouse at http://127.0.0.1:1 refused the writer's login: \"quoted\"");
    }
  }

  @Test
  void metricsArePrometheusTextOfTheRegistry() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder(AuthFailures.METRIC).tag("component", "stream-processor").tag("credential", "kafka")
        .register(registry).increment(3);
    try (ProcessorHttpEndpoint http = new ProcessorHttpEndpoint(0, Optional::empty, registry::scrape)) {
      http.start();
      HttpResponse<String> metrics = get(http, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValue(ProcessorHttpEndpoint.PROMETHEUS_TYPE);
      assertThat(metrics.body())
          .contains("runtrace_auth_failures_total{component=\"stream-processor\",credential=\"kafka\"} 3.0");
    }
  }

  @Test
  void otherPathsAndMethodsAreRefused() throws Exception {
    try (ProcessorHttpEndpoint http = new ProcessorHttpEndpoint(0, Optional::empty, () -> "")) {
      http.start();
      assertThat(get(http, "/").statusCode()).isEqualTo(404);
      assertThat(get(http, "/healthz").statusCode()).isEqualTo(404);
      HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri(http, "/health"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }
  }

  @Test
  void aTakenPortFailsNamingTheSetting() throws Exception {
    try (ProcessorHttpEndpoint first = new ProcessorHttpEndpoint(0, Optional::empty, () -> "")) {
      int port = first.port();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ProcessorHttpEndpoint(port, Optional::empty, () -> ""))
          .hasMessageStartingWith("httpPort " + port + " cannot be bound");
    }
  }

  private HttpResponse<String> get(ProcessorHttpEndpoint http, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(http, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(ProcessorHttpEndpoint http, String path) {
    return URI.create("http://127.0.0.1:" + http.port() + path);
  }
}
