package io.runtrace.stream;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a running processor's {@code /health} and {@code /metrics} the way a prober and Prometheus do. */
final class ProcessorProbe {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;

  ProcessorProbe(StreamProcessor processor) {
    this.port = processor.httpPort();
  }

  record Health(int status, JsonNode body) {
    String reason() {
      return body.path("reason").asText("");
    }
  }

  Health health() {
    HttpResponse<String> r = get("/health");
    try {
      return new Health(r.statusCode(), Json.MAPPER.readTree(r.body()));
    } catch (IOException e) {
      throw new AssertionError("/health answered no JSON: " + r.body(), e);
    }
  }

  String metrics() {
    return get("/metrics").body();
  }

  /** The value of the auth failure series for one credential, as Prometheus scrapes it; NaN when the series is missing. */
  double authFailures(String credential) {
    String series = "runtrace_auth_failures_total{component=\"stream-processor\",credential=\"" + credential + "\"} ";
    for (String line : metrics().split("\n")) {
      if (line.startsWith(series)) return Double.parseDouble(line.substring(series.length()).trim());
    }
    return Double.NaN;
  }

  private HttpResponse<String> get(String path) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
