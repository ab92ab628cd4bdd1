package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Prometheus scrapes a tiny endpoint serving Prometheus text, and answers queries over it. */
class LocalPrometheusIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path workDir;
  HttpServer target;

  @BeforeEach
  void serveMetrics() throws IOException {
    target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext("/metrics", exchange -> {
      byte[] body = "# TYPE runtrace_it_widgets_total counter\nruntrace_it_widgets_total{colour=\"blue\"} 42\n"
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    target.start();
  }

  @AfterEach
  void stopTarget() {
    target.stop(0);
  }

  @Test
  void scrapesTheTargetAndAnswersQueriesWithItsSeriesAndUp() throws Exception {
    Path rules = Files.writeString(workDir.resolve("rules.yaml"), """
        groups:
          - name: runtrace-it
            rules:
              - record: runtrace_it:widgets:sum
                expr: sum(runtrace_it_widgets_total)
        """);
    try (LocalPrometheus prometheus = LocalPrometheus.builder().workDir(workDir).scrapeInterval(Duration.ofSeconds(1))
        .scrapeJob("span-ingest", "127.0.0.1:" + target.getAddress().getPort())
        .ruleFiles(List.of(rules)).build().start()) {
      assertThat(prometheus.url()).matches("http://127\\.0\\.0\\.1:[0-9]+");
      String widgets = awaitQuery(prometheus, "runtrace_it_widgets_total", "\"colour\":\"blue\"");
      assertThat(widgets).contains("\"job\":\"span-ingest\"", "\"42\"");
      assertThat(awaitQuery(prometheus, "up{job=\"span-ingest\"}", "\"job\":\"span-ingest\"")).contains("\"1\"]");
      assertThat(awaitQuery(prometheus, "runtrace_it:widgets:sum", "\"42\"")).contains("runtrace_it:widgets:sum");
      assertThat(get(prometheus.url() + "/api/v1/rules").body()).contains("\"name\":\"runtrace-it\"");
      assertThat(Files.readString(workDir.resolve("prometheus/prometheus.yml"))).contains("scrape_interval: 1s");
      assertThat(workDir.resolve("prometheus/data")).isDirectory();
    }
  }

  @Test
  void aRuleFileItCannotLoadFailsTheStartWithPrometheusOwnMessage() throws Exception {
    Path rules = Files.writeString(workDir.resolve("broken.yaml"), "groups:\n  - name: broken\n    rules:\n      - alert: X\n        expr: sum(\n");
    LocalPrometheus prometheus = LocalPrometheus.builder().workDir(workDir).ruleFiles(List.of(rules)).build();
    assertThatThrownBy(prometheus::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Prometheus on http://127.0.0.1:")
        .hasMessageContaining("the process exited before it became ready")
        .hasMessageContaining("broken.yaml");
    prometheus.close();
  }

  private static String awaitQuery(LocalPrometheus prometheus, String query, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = get(prometheus.url() + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).body();
      if (last.contains(expected)) return last;
      Thread.sleep(250);
    }
    throw new AssertionError(query + " never returned " + expected + "; last answer: " + last);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
