package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Jaeger routes over the real handler with a recording fake reader: auth, scoping in the SQL, error shapes. */
class JaegerRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyJaegerErrorIsJaegersShapeWithItsStatus() throws Exception {
    try (RoutesFixture f = new RoutesFixture()) {
      assertError(f.get("/api/services", null), 401, "this API needs an API key: Authorization: Bearer <key>");
      assertError(f.get("/api/traces?operation=x"), 400, "parameter 'service' is required");
      assertError(f.get("/api/traces?service=a&minDuration=5"), 400,
          "unable to parse param 'minDuration': \"5\" needs a unit: ns, us, ms, s, m or h");
      assertError(f.get("/api/traces/not-hex"), 400,
          "unable to parse param 'traceID': \"not-hex\" is not a trace id of 1 to 32 hex digits");
      assertError(f.get("/api/traces/4bf92f3577b34da6a3ce929d0e0e4736"), 404, "trace not found");
      assertError(f.get("/api/dependencies"), 404, "no such path: \"/api/dependencies\"");
      assertThat(f.queries).noneMatch(q -> q.contains("not-hex"));
    }
  }

  @Test
  void theKeyDecidesTheTenantOfEveryQuery() throws Exception {
    try (RoutesFixture f = new RoutesFixture()) {
      JsonNode run = JSON.readTree(
          "{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"created_unix_nano\":\"1735787045000000000\"}");
      f.answers = sql -> sql.contains("run_list") ? List.of(run) : List.of();
      assertThat(f.get("/api/services", f.keys.bearer("acme-prod")).statusCode()).isEqualTo(200);
      assertThat(f.get("/api/traces?service=executor", f.keys.bearer("globex")).statusCode()).isEqualTo(200);
      assertThat(f.get("/api/traces/4bf92f3577b34da6a3ce929d0e0e4736", f.keys.bearer("globex")).statusCode()).isEqualTo(404);

      assertThat(f.queries).allMatch(q -> q.contains("tenant = 'acme'") || q.contains("tenant IN ('acme', '')")
          || q.contains("tenant = 'globex'") || q.contains("tenant IN ('globex', '')"));
      assertThat(f.queries.get(0)).contains("FROM runtrace.run_list FINAL WHERE tenant = 'acme' AND environment = 'prod' AND");
      assertThat(f.queries.stream().filter(q -> q.contains(".spans ")).findFirst().orElseThrow()).contains("FROM runtrace.spans WHERE trace_id IN ('4bf92f3577b34da6a3ce929d0e0e4736')")
          .contains("AND tenant IN ('acme', '') AND environment IN ('prod', '')");
      // A request is recorded just after its answer is sent: give the last one a moment.
      String notFound = "runtrace_query_http_requests_seconds_count{route=\"/api/traces/{traceId}\",status=\"404\"} 1\n";
      for (int i = 0; i < 50 && !f.registry.scrape().contains(notFound); i++) Thread.sleep(20);
      assertThat(f.registry.scrape()).contains("runtrace_query_http_requests_seconds_count{route=\"/api/services\",status=\"200\"} 1\n")
          .contains("runtrace_query_http_requests_seconds_count{route=\"/api/traces/{traceId}\",status=\"404\"} 1\n");
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.toString()).isEqualTo("{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":"
        + status + ",\"msg\":" + JSON.writeValueAsString(message) + "}]}");
  }
}
