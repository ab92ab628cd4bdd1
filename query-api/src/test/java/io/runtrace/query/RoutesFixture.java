package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.query.auth.ApiKeys;
import io.runtrace.query.auth.TenantLimits;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The routes over a real JDK server with a fake reader replica that records every statement:
 * keys for tenants {@code acme} and {@code globex} (every environment), {@code acme-prod} (acme,
 * prod only) and {@code acme-two} (acme, prod and staging), and the given tenant limits.
 */
final class RoutesFixture implements AutoCloseable {
  static final Instant NOW = Instant.parse("2025-01-02T03:05:00Z");

  final List<String> queries = new CopyOnWriteArrayList<>();
  volatile Function<String, List<JsonNode>> answers = sql -> List.of();
  volatile boolean pingOk = true;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final HttpClient client = HttpClient.newHttpClient();
  final TestKeys keys = TestKeys.forTenants("acme", "globex").add("acme-prod", "acme", "prod")
      .add("acme-two", "acme", "prod", "staging");
  final ApiKeys apiKeys;
  private final HttpServer server;

  /** Limits high enough that no test is throttled unless it means to be. */
  RoutesFixture() throws Exception {
    this(64, 10_000, 10_000, System::nanoTime);
  }

  RoutesFixture(int maxInFlight, double ratePerSecond, int burst, LongSupplier nanoClock) throws Exception {
    ReadReplica fake = new RecordingReplica("runtrace", sql -> answers.apply(sql), () -> pingOk, queries);
    QueryMetrics metrics = new QueryMetrics(registry);
    RunHistoryApi api = new RunHistoryApi(fake, Clock.fixed(NOW, ZoneOffset.UTC), metrics,
        RunHistoryApi.listSettings(50, 1000, Duration.ofDays(7), Duration.ofDays(31)), 3);
    apiKeys = ApiKeys.open(keys.file, Duration.ofMillis(20), registry);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(new BoundedExecutor(2, 4));
    server.createContext("/", RunHistoryRoutes.create(api, metrics, registry::scrape, apiKeys,
        new TenantLimits(maxInFlight, ratePerSecond, burst, nanoClock, registry)));
    server.start();
  }

  /** GET with acme's key. */
  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return get(pathAndQuery, keys.bearer("acme"));
  }

  /** GET with this {@code Authorization} header, none when null. */
  HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery));
    if (authorization != null) request.header("Authorization", authorization);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    apiKeys.close();
  }
}
