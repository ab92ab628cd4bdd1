package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Fair share through the routes: 429 with Retry-After before any query, per tenant. */
class RunHistoryLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final AtomicLong now = new AtomicLong(0);

  @Test
  void overTheRateIs429WithTheBucketsWaitAndNoQueryAndOtherTenantsAreServed() throws Exception {
    try (RoutesFixture f = new RoutesFixture(4, 0.5, 2, now::get)) {
      assertThat(f.get("/v1/stats").statusCode()).isEqualTo(200);
      assertThat(f.get("/v1/stats").statusCode()).isEqualTo(200);
      int queried = f.queries.size();

      HttpResponse<String> throttled = f.get("/v1/stats");

      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(throttled.headers().firstValue("Retry-After")).hasValue("2");
      assertThat(throttled.body()).isEqualTo("{\"error\":\"too_many_requests\","
          + "\"message\":\"tenant acme is over its 0.5 requests per second (burst 2)\"}");
      assertThat(f.queries).hasSize(queried);
      assertThat(f.get("/v1/stats", f.keys.bearer("globex")).statusCode()).isEqualTo(200);
      now.addAndGet(2_000_000_000L);
      assertThat(f.get("/v1/stats").statusCode()).isEqualTo(200);
      assertThat(f.registry.scrape()).contains("runtrace_query_http_throttled_total{reason=\"rate\",tenant=\"acme\"} 1.0");
    }
  }

  @Test
  void overTheInFlightLimitIs429AtOnceWhileTheTenantsRequestRunsAndOthersAreServed() throws Exception {
    try (RoutesFixture f = new RoutesFixture(1, 1000, 1000, now::get)) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch inQuery = new CountDownLatch(1);
      f.answers = sql -> {
        if (sql.contains("'acme'")) {
          inQuery.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return List.of();
      };
      CompletableFuture<HttpResponse<String>> slow = f.client.sendAsync(HttpRequest.newBuilder(f.uri("/v1/stats"))
          .header("Authorization", f.keys.bearer("acme")).build(), HttpResponse.BodyHandlers.ofString());
      try {
        assertThat(inQuery.await(10, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> second = f.get("/v1/runs");
        HttpResponse<String> globex = f.get("/v1/stats", f.keys.bearer("globex"));

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
        JsonNode body = JSON.readTree(second.body());
        assertThat(body.get("message").asText()).isEqualTo("tenant acme has 1 requests in flight, the most it may have at once");
        assertThat(globex.statusCode()).isEqualTo(200);
      } finally {
        release.countDown();
      }
      assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(f.get("/v1/runs").statusCode()).isEqualTo(200);
    }
  }
}
