package io.runtrace.query;

import static io.runtrace.query.TestRows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routing over a real JDK server and client, with a fake reader replica. */
class RunHistoryRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2025-01-02T03:05:00Z");

  private RoutesFixture fixture;
  private List<String> queries;
  private PrometheusMeterRegistry registry;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    fixture = new RoutesFixture();
    queries = fixture.queries;
    registry = fixture.registry;
    client = fixture.client;
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void listsRunsWithFreshness() throws Exception {
    fixture.answers = firstSliceOnly(List.of(TestRows.run("r2", "running", T0 + 10, T0 + 99),
        TestRows.run("r1", "completed", T0, T0 + 7)));

    HttpResponse<String> response = get("/v1/runs?limit=2&status=running,completed");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("runs")).hasSize(2);
    assertThat(body.get("runs").get(0).get("run_id").asText()).isEqualTo("r2");
    assertThat(body.get("freshness").get("as_of").asText()).isEqualTo("2025-01-02T03:05:00.000000000Z");
    assertThat(body.get("freshness").get("latest_update").asText()).isEqualTo("2025-01-02T03:04:05.123456888Z");
    assertThat(body.get("has_more").asBoolean()).isFalse();
    assertThat(body.get("next_cursor").isNull()).isTrue();
    assertThat(body.get("window").get("to").asText()).isEqualTo("2025-01-02T03:05:00.000000000Z");
    assertThat(body.get("window").get("from").asText()).isEqualTo("2024-12-26T03:05:00.000000000Z");
    assertThat(queries.get(0)).contains("status IN ('running', 'completed')", "LIMIT 3");
    assertThat(queries.get(1)).as("the next slice asks only for what is missing").endsWith("LIMIT 1");
  }

  @Test
  void emptyListHasNullLatestUpdateAndReadsTheWindowInGrowingSlices() throws Exception {
    JsonNode body = JSON.readTree(get("/v1/runs").body());

    assertThat(body.get("runs")).isEmpty();
    assertThat(body.get("freshness").get("latest_update").isNull()).isTrue();
    // 1 h, 4 h, 16 h, 64 h, then the rest of the 168 h window.
    assertThat(queries).hasSize(5).allSatisfy(q -> assertThat(q).endsWith("LIMIT 51"));
    assertThat(queries.get(0)).contains("created_unix_nano >= " + (NOW.getEpochSecond() - 3600) * 1_000_000_000L);
  }

  @Test
  void aFullPageGivesACursorThatTheNextPageFollows() throws Exception {
    fixture.answers = firstSliceOnly(List.of(TestRows.run("r3", "running", T0 + 30, T0), TestRows.run("r2", "running", T0 + 20, T0),
        TestRows.run("r1", "running", T0 + 10, T0)));

    JsonNode first = JSON.readTree(get("/v1/runs?limit=2&tenant=acme").body());

    assertThat(first.get("runs")).extracting(r -> r.get("run_id").asText()).containsExactly("r3", "r2");
    assertThat(first.get("has_more").asBoolean()).isTrue();
    String cursor = first.get("next_cursor").asText();
    assertThat(cursor).matches("[A-Za-z0-9_-]+");
    queries.clear();
    get("/v1/runs?limit=2&tenant=acme&cursor=" + cursor);
    assertThat(queries.get(0)).contains("AND (created_unix_nano < " + (T0 + 20) + " OR created_unix_nano = "
        + (T0 + 20) + " AND trace_id < 'trace-r2')", "created_unix_nano < " + (T0 + 21));
  }

  @Test
  void aBadCursorOrOneOfAnotherQueryIs400() throws Exception {
    fixture.answers = firstSliceOnly(List.of(TestRows.run("r2", "running", T0 + 20, T0), TestRows.run("r1", "running", T0 + 10, T0)));
    String cursor = JSON.readTree(get("/v1/runs?limit=1&tenant=acme").body()).get("next_cursor").asText();

    HttpResponse<String> garbage = get("/v1/runs?cursor=not-a-cursor");
    HttpResponse<String> other = get("/v1/runs?status=failed&cursor=" + cursor);

    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(garbage.body()).get("message").asText())
        .isEqualTo("cursor is not a cursor this API gave out; take next_cursor from a page");
    assertThat(other.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(other.body()).get("message").asText()).startsWith("cursor was made for another query");
  }

  @Test
  void badWindowsAre400() throws Exception {
    assertThat(JSON.readTree(get("/v1/runs?from=yesterday").body()).get("message").asText())
        .isEqualTo("from must be an RFC 3339 time such as 2026-11-30T12:00:00Z, was \"yesterday\"");
    assertThat(JSON.readTree(get("/v1/runs?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z").body())
        .get("message").asText()).startsWith("from must be before to");
    assertThat(JSON.readTree(get("/v1/runs?from=2024-01-01T00:00:00Z").body()).get("message").asText())
        .endsWith("is longer than 744 h, the most this service allows");
    assertThat(get("/v1/runs?stale=maybe").statusCode()).isEqualTo(400);
    assertThat(queries).isEmpty();
  }

  @Test
  void statsMapTheRollupRows() throws Exception {
    fixture.answers = sql -> {
      if (sql.startsWith("SELECT app, function, status")) {
        return List.of(row("{\"app\":\"billing\",\"function\":\"charge\",\"status\":\"completed\",\"runs\":\"8\",\"refreshed\":\"" + T0 + "\"}"),
            row("{\"app\":\"billing\",\"function\":\"charge\",\"status\":\"failed\",\"runs\":\"2\",\"refreshed\":\"" + T0 + "\"}"),
            row("{\"app\":\"billing\",\"function\":\"refund\",\"status\":\"running\",\"runs\":\"1\",\"refreshed\":\"0\"}"),
            row("{\"app\":\"billing\",\"function\":\"refund\",\"status\":\"queued\",\"runs\":\"0\",\"refreshed\":\"0\"}"));
      }
      if (sql.startsWith("SELECT app, function, 0 AS overall")) {
        return List.of(row("{\"app\":\"billing\",\"function\":\"charge\",\"overall\":0,\"q\":[10.5,20,30]}"),
            row("{\"app\":\"\",\"function\":\"\",\"overall\":1,\"q\":[11,21,31]}"),
            row("{\"app\":\"billing\",\"function\":\"refund\",\"overall\":0,\"q\":[null,null,null]}"));
      }
      return List.of(row("{\"start\":1735786800,\"status\":\"completed\",\"runs\":\"8\"}"),
          row("{\"start\":1735786800,\"status\":\"failed\",\"runs\":\"2\"}"),
          row("{\"start\":1735790400,\"status\":\"running\",\"runs\":\"1\"}"));
    };

    JsonNode body = JSON.readTree(get("/v1/stats?tenant=acme").body());

    assertThat(body.get("window").get("from").asText()).isEqualTo("2025-01-01T03:00:00.000000000Z");
    assertThat(body.get("window").get("to").asText()).isEqualTo("2025-01-02T04:00:00.000000000Z");
    assertThat(body.get("window").get("bucket_seconds").asLong()).isEqualTo(3600);
    assertThat(body.get("runs").asLong()).isEqualTo(11);
    assertThat(body.get("by_status").toString()).isEqualTo("{\"completed\":8,\"failed\":2,\"running\":1}");
    assertThat(body.get("failure_rate").asDouble()).isEqualTo(0.2);
    assertThat(body.get("duration_ms").toString()).isEqualTo("{\"p50\":11.0,\"p95\":21.0,\"p99\":31.0}");
    assertThat(body.get("functions")).hasSize(2);
    assertThat(body.get("functions").get(0).get("duration_ms").get("p50").asDouble()).isEqualTo(10.5);
    assertThat(body.get("functions").get(1).get("failure_rate").isNull()).isTrue();
    assertThat(body.get("functions").get(1).get("duration_ms").get("p99").isNull()).isTrue();
    assertThat(body.get("series")).hasSize(2);
    assertThat(body.get("series").get(0).get("by_status").get("failed").asLong()).isEqualTo(2);
    assertThat(body.get("freshness").get("latest_update").asText()).isEqualTo(Rows.isoOrNull(T0));
    assertThat(queries).hasSize(3).allSatisfy(q -> assertThat(q).contains("run_stats FINAL WHERE tenant = 'acme'"));
    assertThat(get("/v1/stats?bucket=90m").statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(get("/v1/stats?bucket=1h&from=2024-12-05T00:00:00Z").body()).get("message").asText())
        .contains("points over this window; at most 500");
  }

  private static JsonNode row(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows for the first slice of a page; later slices of the same request find nothing. */
  private Function<String, List<JsonNode>> firstSliceOnly(List<JsonNode> rows) {
    return sql -> sql.contains(" AND created_unix_nano < " + NOW.getEpochSecond() * 1_000_000_000L + " ")
        || sql.contains("trace_id < ") ? rows : List.of();
  }

  @Test
  void badLimitIs400WithMessage() throws Exception {
    HttpResponse<String> response = get("/v1/runs?limit=0");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"bad_request\",\"message\":\"limit must be 1..1000, was 0\"}");
    assertThat(queries).isEmpty();
  }

  @Test
  void maliciousRunIdIs400AndNeverQueried() throws Exception {
    HttpResponse<String> response = get("/v1/runs/x'%20OR%201=1%20--");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("bad_request");
    assertThat(queries).isEmpty();
  }

  @Test
  void unknownRunIs404() throws Exception {
    HttpResponse<String> response = get("/v1/runs/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("{\"error\":\"not_found\",\"message\":\"no run \\\"nope\\\"\"}");
  }

  @Test
  void sameRunIdInTwoEnvironmentsOfTheTenantIs409() throws Exception {
    fixture.answers = sql -> sql.contains("run_ids")
        ? List.of(row("{\"tenant\":\"acme\",\"environment\":\"p\",\"trace_id\":\"t1\",\"created_unix_nano\":\"" + T0 + "\"}"),
            row("{\"tenant\":\"acme\",\"environment\":\"q\",\"trace_id\":\"t2\",\"created_unix_nano\":\"" + T0 + "\"}"))
        : List.of(((com.fasterxml.jackson.databind.node.ObjectNode) TestRows.run("r1", "running", T0, T0))
            .put("trace_id", sql.contains("'t1'") ? "t1" : "t2"));

    assertThat(get("/v1/runs/r1").statusCode()).isEqualTo(409);
  }

  @Test
  void aRunWhoseIdChangedIsNotFoundUnderItsOldId() throws Exception {
    fixture.answers = sql -> sql.contains("run_ids")
        ? List.of(row("{\"tenant\":\"a\",\"environment\":\"p\",\"trace_id\":\"t1\",\"created_unix_nano\":\"" + T0 + "\"}"))
        : List.of(TestRows.run("r2", "running", T0, T0));

    assertThat(get("/v1/runs/r1").statusCode()).isEqualTo(404);
  }

  @Test
  void traceNestsSpansAndReportsTruncation() throws Exception {
    fixture.answers = sql -> sql.contains("run_ids")
        ? List.of(row("{\"tenant\":\"acme\",\"environment\":\"prod\",\"trace_id\":\"trace-r1\",\"created_unix_nano\":\"" + T0 + "\"}"))
        : sql.contains("run_list")
        ? List.of(TestRows.run("r1", "completed", T0, T0 + 1))
        : List.of(TestRows.span("root", "", T0), TestRows.span("a", "root", T0 + 1),
            TestRows.span("b", "a", T0 + 2), TestRows.span("c", "root", T0 + 3));

    JsonNode body = JSON.readTree(get("/v1/runs/r1/trace?tenant=acme").body());

    assertThat(body.get("run").get("run_id").asText()).isEqualTo("r1");
    assertThat(body.get("spans")).hasSize(1);
    assertThat(body.get("spans").get(0).get("children").get(0).get("children").get(0).get("span_id").asText())
        .isEqualTo("b");
    assertThat(body.get("truncated").asBoolean()).isTrue();
    assertThat(body.get("span_count").asInt()).isEqualTo(3);
    assertThat(queries.get(0)).contains("FROM runtrace.run_ids FINAL WHERE tenant = 'acme' AND run_id = 'r1'");
    assertThat(queries.get(1)).contains("FROM runtrace.run_list FINAL WHERE tenant = 'acme' AND environment = 'prod'");
    assertThat(queries.get(2)).contains("WHERE trace_id = 'trace-r1' AND start_time >= ", "AND tenant IN ('acme', '')",
        "LIMIT 4");
  }

  @Test
  void clickHouseFailureIs503WithoutStackTrace() throws Exception {
    fixture.answers = sql -> {
      throw new IllegalStateException("Code: 159, e.displayText() = DB::Exception: Timeout exceeded");
    };

    HttpResponse<String> response = get("/v1/runs");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"unavailable\",\"message\":\"the run history store did not answer; retry later\"}");
    assertThat(registry.scrape()).contains("runtrace_query_clickhouse_errors_total{query=\"select_run_page\"} 1.0");
  }

  @Test
  void unknownPathWrongMethodAndHealth() throws Exception {
    assertThat(get("/v2/runs").statusCode()).isEqualTo(404);
    assertThat(get("/v1/runs/a/b/c").statusCode()).isEqualTo(404);
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/v1/runs")).header("Authorization", fixture.keys.bearer("acme"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(JSON.readTree(post.body()).get("error").asText()).isEqualTo("method_not_allowed");

    assertThat(get("/health").body())
        .isEqualTo("{\"status\":\"ok\",\"readers\":[{\"reader\":\"reader\",\"up\":true,\"delay_s\":0}]}");
    fixture.pingOk = false;
    HttpResponse<String> down = get("/health");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(down.body()).get("status").asText()).isEqualTo("unavailable");
  }

  @Test
  void metricsCountRequestsByRouteAndStatus() throws Exception {
    get("/v1/runs");
    get("/v1/runs?limit=x");
    get("/v1/runs/r9");

    HttpResponse<String> metrics = get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("runtrace_query_http_requests_seconds_count{route=\"/v1/runs\",status=\"200\"} 1")
        .contains("runtrace_query_http_requests_seconds_count{route=\"/v1/runs\",status=\"400\"} 1")
        .contains("runtrace_query_http_requests_seconds_count{route=\"/v1/runs/{runId}\",status=\"404\"} 1");
  }

  @Test
  void fullQueueAnswers503InsteadOfDroppingTheConnection() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    fixture.answers = sql -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return List.of();
    };
    // 2 workers + 4 queued fill the pool; the rest must be told at once to come back.
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      inFlight.add(client.sendAsync(HttpRequest.newBuilder(uri("/v1/runs")).header("Authorization", fixture.keys.bearer("acme"))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    HttpResponse<String> rejected;
    try {
      CompletableFuture.anyOf(inFlight.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      rejected = firstDone(inFlight);
    } finally {
      release.countDown();
    }

    assertThat(rejected.statusCode()).isEqualTo(503);
    assertThat(rejected.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JSON.readTree(rejected.body()).get("error").asText()).isEqualTo("overloaded");
    for (CompletableFuture<HttpResponse<String>> f : inFlight) assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
    assertThat(registry.scrape()).containsPattern("runtrace_query_http_rejected_total [1-9]");
  }

  private static HttpResponse<String> firstDone(List<CompletableFuture<HttpResponse<String>>> futures) {
    return futures.stream().filter(CompletableFuture::isDone).findFirst().orElseThrow().join();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return fixture.get(pathAndQuery);
  }

  private URI uri(String pathAndQuery) {
    return fixture.uri(pathAndQuery);
  }
}
