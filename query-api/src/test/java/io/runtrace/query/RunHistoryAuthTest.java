package io.runtrace.query;

import static io.runtrace.query.TestRows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint against no key, a bad key, another tenant's key, keys bound to environments,
 * and hostile strings in every parameter, the path and the header, over a real JDK server with
 * a fake reader that answers like ClickHouse holding one run of acme and one of globex.
 */
class RunHistoryAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> ENDPOINTS = List.of("/v1/runs", "/v1/runs/r1", "/v1/runs/r1/trace", "/v1/stats");
  /** Injection attempts, quoting tricks, control characters, unicode, and oversized values. */
  static final List<String> HOSTILE = List.of("' OR 1=1 --", "\\'", "\\", "x\\\\' OR '1'='1", "); DROP TABLE x; --",
      "\u0000", "a\u0000b", "üñíçødé ☃ 𝄞", "\r\nX-Injected: 1", "%00", "${jndi:ldap://x/a}", "x".repeat(257),
      "y".repeat(100 * 1024));
  static final List<String> PARAMETERS = List.of("tenant", "environment", "function", "app", "status", "stale",
      "from", "to", "cursor", "limit", "bucket");

  private RoutesFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new RoutesFixture();
    // run_ids and run_list hold r1 under acme/prod and r9 under globex/prod, as a real reader would filter them.
    fixture.answers = sql -> {
      List<JsonNode> rows = new ArrayList<>();
      for (String tenant : List.of("acme", "globex")) {
        boolean tenantOk = !sql.contains("tenant = ") || sql.contains("tenant = '" + tenant + "'");
        boolean envOk = !sql.contains("environment = ") && !sql.contains("environment IN") || sql.contains("'prod'");
        String runId = tenant.equals("acme") ? "r1" : "r9";
        if (!tenantOk || !envOk) continue;
        if (sql.contains("run_ids")) {
          if (sql.contains("run_id = '" + runId + "'")) {
            rows.add(JSON.createObjectNode().put("tenant", tenant).put("environment", "prod")
                .put("trace_id", "trace-" + runId).put("created_unix_nano", Long.toString(T0)));
          }
        } else if (sql.contains("run_list")) {
          if (!sql.contains("trace_id = ") || sql.contains("'trace-" + runId + "'")) {
            ObjectNode run = TestRows.run(runId, "completed", T0, T0 + 1).put("tenant", tenant);
            rows.add(run);
          }
        }
      }
      return rows;
    };
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  static Stream<String> endpoints() {
    return ENDPOINTS.stream();
  }

  @ParameterizedTest
  @MethodSource("endpoints")
  void noKeyIs401WithBearerChallengeAndNothingIsQueried(String endpoint) throws Exception {
    HttpResponse<String> r = fixture.get(endpoint, null);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"runtrace\"");
    assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\",\"message\":\"this API needs an API key: Authorization: Bearer <key>\"}");
    assertThat(fixture.queries).isEmpty();
    assertThat(fixture.registry.scrape()).contains(
        "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"missing\"} 1.0");
  }

  @ParameterizedTest
  @MethodSource("endpoints")
  void aBadKeyIs401InvalidToken(String endpoint) throws Exception {
    String real = fixture.keys.key("acme");
    List<String> bad = List.of("Bearer rt_not-a-key", "Bearer " + real.substring(0, real.length() - 1),
        "Bearer " + real + "x", "Basic " + real, real, "Bearer", "Bearer    ", "bearer " + real.toUpperCase());
    for (String header : bad) {
      HttpResponse<String> r = fixture.get(endpoint, header);

      assertThat(r.statusCode()).as(header).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"runtrace\", error=\"invalid_token\"");
      assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("unauthorized");
    }
    assertThat(fixture.queries).isEmpty();
    assertThat(fixture.registry.scrape()).contains(
        "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"unknown\"} " + bad.size() + ".0");
  }

  @Test
  void theSchemeIsCaseInsensitiveAndHealthAndMetricsNeedNoKey() throws Exception {
    assertThat(fixture.get("/v1/runs", "bearer " + fixture.keys.key("acme")).statusCode()).isEqualTo(200);
    assertThat(fixture.get("/health", null).statusCode()).isEqualTo(200);
    assertThat(fixture.get("/metrics", null).body()).contains("runtrace_auth_failures_total");
  }

  @Test
  void aKeyFileThatFailsToReloadKeepsTheKeysAndHealthSaysDegradedNot503() throws Exception {
    java.nio.file.Files.writeString(fixture.keys.file, "{\"keys\": [");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (fixture.apiKeys.problem().isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);

    HttpResponse<String> health = fixture.get("/health", null);

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("degraded");
    assertThat(JSON.readTree(health.body()).get("reason").asText()).contains("could not be reloaded")
        .endsWith("the 4 keys loaded before stay in use");
    assertThat(fixture.get("/v1/runs", fixture.keys.bearer("acme")).statusCode()).isEqualTo(200);
  }

  @Test
  void anotherTenantsRunIs404ExactlyLikeAMissingOne() throws Exception {
    HttpResponse<String> own = fixture.get("/v1/runs/r1", fixture.keys.bearer("acme"));
    HttpResponse<String> foreign = fixture.get("/v1/runs/r9", fixture.keys.bearer("acme"));
    HttpResponse<String> missing = fixture.get("/v1/runs/r5", fixture.keys.bearer("acme"));
    HttpResponse<String> foreignTrace = fixture.get("/v1/runs/r9/trace", fixture.keys.bearer("acme"));
    HttpResponse<String> missingTrace = fixture.get("/v1/runs/r5/trace", fixture.keys.bearer("acme"));

    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).isEqualTo(missing.body().replace("r5", "r9"));
    assertThat(foreignTrace.statusCode()).isEqualTo(404);
    assertThat(foreignTrace.body()).isEqualTo(missingTrace.body().replace("r5", "r9"));
    assertThat(fixture.get("/v1/runs/r9", fixture.keys.bearer("globex")).statusCode()).isEqualTo(200);
    assertThat(fixture.get("/v1/runs/r1", fixture.keys.bearer("globex")).statusCode()).isEqualTo(404);
  }

  @Test
  void everyQueryIsBoundedByTheKeysTenant() throws Exception {
    for (String endpoint : ENDPOINTS) fixture.get(endpoint, fixture.keys.bearer("globex"));

    assertThat(fixture.queries).isNotEmpty().allSatisfy(sql -> assertThat(sql)
        .containsAnyOf("WHERE tenant = 'globex' AND ", "AND tenant IN ('globex', '')"));
    JsonNode list = JSON.readTree(fixture.get("/v1/runs", fixture.keys.bearer("globex")).body());
    assertThat(list.get("runs")).extracting(r -> r.get("tenant").asText()).containsOnly("globex");
  }

  @ParameterizedTest
  @MethodSource("endpoints")
  void aTenantParameterThatDisagreesWithTheKeyIs403AndOneThatAgreesIsServed(String endpoint) throws Exception {
    HttpResponse<String> other = fixture.get(endpoint + "?tenant=globex", fixture.keys.bearer("acme"));
    int queried = fixture.queries.size();
    HttpResponse<String> same = fixture.get(endpoint + "?tenant=acme", fixture.keys.bearer("acme"));

    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).isEqualTo(
        "{\"error\":\"forbidden\",\"message\":\"tenant \\\"globex\\\" is not the tenant of this API key\"}");
    assertThat(queried).isZero();
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(fixture.registry.scrape()).contains(
        "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"forbidden\"} 1.0");
  }

  @ParameterizedTest
  @MethodSource("endpoints")
  void aKeyBoundToEnvironmentsReadsOnlyThose(String endpoint) throws Exception {
    HttpResponse<String> outside = fixture.get(endpoint + "?environment=staging", fixture.keys.bearer("acme-prod"));
    HttpResponse<String> inside = fixture.get(endpoint + "?environment=prod", fixture.keys.bearer("acme-prod"));
    fixture.queries.clear();
    HttpResponse<String> twoEnvironments = fixture.get(endpoint, fixture.keys.bearer("acme-two"));

    assertThat(outside.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(outside.body()).get("message").asText())
        .isEqualTo("environment \"staging\" is not one this API key may read");
    assertThat(inside.statusCode()).isEqualTo(200);
    assertThat(twoEnvironments.statusCode()).isEqualTo(200);
    // The first statement of each endpoint is the one that finds the runs: key prefix, then the IN list.
    assertThat(fixture.queries.get(0)).contains("WHERE tenant = 'acme' AND ")
        .contains("environment IN ('prod', 'staging')");
  }

  @Test
  void hostileStringsInEveryParameterAre400OrEscapedNever500() throws Exception {
    for (String endpoint : ENDPOINTS) {
      for (String parameter : PARAMETERS) {
        for (String value : HOSTILE) {
          fixture.queries.clear();
          HttpResponse<String> r = fixture.get(endpoint + "?" + parameter + "=" + enc(value), fixture.keys.bearer("acme"));

          assertThat(r.statusCode()).as(endpoint + " " + parameter + "=" + value.substring(0, Math.min(20, value.length())))
              .isIn(200, 400, 403, 404);
          assertThat(JSON.readTree(r.body()).has("error") || r.statusCode() == 200).isTrue();
          for (String sql : fixture.queries) assertEscaped(sql, value);
        }
      }
    }
  }

  @Test
  void hostileRunIdsInThePathAre400AndNeverQueried() throws Exception {
    for (String value : HOSTILE) {
      for (String suffix : List.of("", "/trace")) {
        HttpResponse<String> r = fixture.get("/v1/runs/" + enc(value).replace("+", "%20") + suffix,
            fixture.keys.bearer("acme"));

        assertThat(r.statusCode()).as(value.substring(0, Math.min(20, value.length()))).isIn(400, 404);
      }
    }
    assertThat(fixture.queries).isEmpty();
  }

  @Test
  void hostileAndHugeAuthorizationHeadersAre401Or400Never500() throws Exception {
    List<String> headers = new ArrayList<>();
    for (String v : HOSTILE) {
      if (v.contains("\r") || v.contains("\n")) continue; // a header cannot carry them
      headers.add("Bearer " + v);
      headers.add(v);
    }
    headers.add("Bearer " + "rt_" + "A".repeat(300));
    for (String header : headers) {
      int status = rawGet("/v1/runs", header);
      assertThat(status).as(header.substring(0, Math.min(30, header.length()))).isIn(400, 401, 413, 431);
    }
    assertThat(rawGet("/v1/runs", fixture.keys.bearer("acme"))).isEqualTo(200);
    assertThat(fixture.queries).allSatisfy(sql -> assertThat(sql).contains("tenant = 'acme'"));
  }

  /** A GET sent over a plain socket, so that a header may hold what HttpClient refuses to send. */
  private int rawGet(String path, String authorization) throws Exception {
    try (Socket s = new Socket("127.0.0.1", fixture.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: ")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(authorization.getBytes(StandardCharsets.UTF_8));
      out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      for (int b; (b = in.read()) >= 0 && b != '\n'; ) head.write(b);
      String statusLine = head.toString(StandardCharsets.ISO_8859_1);
      assertThat(statusLine).as("the server answered with a status line").startsWith("HTTP/1.1 ");
      return Integer.parseInt(statusLine.substring(9, 12));
    }
  }

  /** A value reached SQL only inside a quoted literal: no quote of it is left unescaped. */
  private static void assertEscaped(String sql, String value) {
    if (!value.contains("'")) return;
    assertThat(sql).doesNotContain("= '" + value + "'").doesNotContain("OR 1=1 --'  ");
    String stripped = sql.replace("\\\\", "").replace("\\'", "");
    long quotes = stripped.chars().filter(c -> c == '\'').count();
    assertThat(quotes % 2).as("balanced quotes in " + sql.substring(0, Math.min(200, sql.length()))).isZero();
  }

  private static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}
