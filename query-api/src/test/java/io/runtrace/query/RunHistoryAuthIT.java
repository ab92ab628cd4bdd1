package io.runtrace.query;

import static io.runtrace.query.RunHistoryServiceIT.SECOND;
import static io.runtrace.query.RunHistoryServiceIT.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * API keys over real data on each engine: two tenants with a run id in common, runs in two
 * environments; each key sees its tenant only, hostile strings never reach ClickHouse unescaped
 * (400, 403, 404 or an empty answer, never a 5xx), and the tables are all still there after.
 */
@ForEachClickHouseEngine
class RunHistoryAuthIT {
  @Parameter ClickHouseEngine engine;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final String DB = "qa_auth_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  private static final TestKeys KEYS = TestKeys.forTenants("acme", "globex").add("acme-prod", "acme", "prod");
  private static ClickHouseDatabase writer;
  private static ClickHouseDatabase reader;
  private static RunHistoryService service;

  @BeforeParameterizedClassInvocation
  static void setUp(ClickHouseEngine engine, LocalStack stack) throws Exception {
    ClickHouseDeployment ch = stack.clickHouse(engine);
    writer = RunHistoryServiceIT.connect(ch.writerUrl(), DB);
    reader = RunHistoryServiceIT.connect(ch.readerUrl(), DB);
    RunHistoryServiceIT.migrate(ch, writer, reader);
    RunHistoryServiceIT.insertRuns(writer,
        RunHistoryServiceIT.run("acme", "shared-id", "completed", T0, T0 + 5 * SECOND, 1),
        staging(RunHistoryServiceIT.run("acme", "acme-staging", "failed", T0 + SECOND, T0 + 6 * SECOND, 1)),
        traceOf(RunHistoryServiceIT.run("globex", "shared-id", "failed", T0 + 2 * SECOND, T0 + 7 * SECOND, 1), "g"),
        RunHistoryServiceIT.run("globex", "globex-only", "running", T0 + 3 * SECOND, 0, 1));
    writer.insertJsonEachRow(DB + ".spans", RunHistoryServiceIT.lines(
        span("acme", "trace-shared-id", "acme-root"), span("globex", "trace-shared-id-g", "globex-root")));
    long hour = T0 / SECOND / 3600 * 3600;
    RunHistoryServiceIT.insertStats(writer, "acme", hour, "charge", "completed", 1, 3, 1000);
    RunHistoryServiceIT.insertStats(writer, "globex", hour, "charge", "failed", 1, 5, 100);
    RunHistoryServiceIT.awaitRows(reader, "run_list", 4);
    RunHistoryServiceIT.awaitRows(reader, "spans", 2);
    RunHistoryServiceIT.awaitRows(reader, "run_stats", 2);
    // The hostile-input test sends hundreds of requests at once; fair share is not what it is about.
    service = RunHistoryService.builder().reader(reader).apiKeyFile(KEYS.file).tenantRatePerSecond(100_000)
        .tenantBurst(100_000).host("127.0.0.1").port(0).build().start();
  }

  @AfterParameterizedClassInvocation
  static void tearDown() {
    if (service != null) service.close();
    writer.dropDatabaseIfExists(DB);
    writer.close();
    reader.dropDatabaseIfExists(DB);
    reader.close();
  }

  @Test
  void eachKeySeesItsTenantOnlyAndTheSameRunIdIsTwoDifferentRuns() throws Exception {
    assertThat(runIds(get("/v1/runs", "acme", 200))).containsExactly("acme-staging", "shared-id");
    assertThat(runIds(get("/v1/runs", "globex", 200))).containsExactly("globex-only", "shared-id");
    JsonNode acmeRun = get("/v1/runs/shared-id", "acme", 200).get("run");
    JsonNode globexRun = get("/v1/runs/shared-id", "globex", 200).get("run");
    assertThat(acmeRun.get("tenant").asText()).isEqualTo("acme");
    assertThat(acmeRun.get("status").asText()).isEqualTo("completed");
    assertThat(globexRun.get("tenant").asText()).isEqualTo("globex");
    assertThat(globexRun.get("status").asText()).isEqualTo("failed");
    assertThat(get("/v1/runs/shared-id/trace", "acme", 200).get("spans").get(0).get("span_id").asText()).isEqualTo("acme-root");
    assertThat(get("/v1/runs/shared-id/trace", "globex", 200).get("spans").get(0).get("span_id").asText())
        .isEqualTo("globex-root");
    assertThat(get("/v1/stats", "acme", 200).get("runs").asLong()).isEqualTo(3);
    assertThat(get("/v1/stats", "globex", 200).get("runs").asLong()).isEqualTo(5);
  }

  @Test
  void anotherTenantsRunAndTraceAre404WithTheBodyOfAMissingRun() throws Exception {
    HttpResponse<String> foreign = send("/v1/runs/globex-only", KEYS.bearer("acme"));
    HttpResponse<String> missing = send("/v1/runs/no-such-run", KEYS.bearer("acme"));
    HttpResponse<String> foreignTrace = send("/v1/runs/globex-only/trace", KEYS.bearer("acme"));

    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).isEqualTo(missing.body().replace("no-such-run", "globex-only"));
    assertThat(foreignTrace.statusCode()).isEqualTo(404);
    assertThat(foreignTrace.body()).isEqualTo(foreign.body());
  }

  @Test
  void noKeyOrABadKeyIs401AndADisagreeingTenantIs403OnEveryEndpoint() throws Exception {
    for (String endpoint : List.of("/v1/runs", "/v1/runs/shared-id", "/v1/runs/shared-id/trace", "/v1/stats")) {
      HttpResponse<String> none = send(endpoint, null);
      HttpResponse<String> bad = send(endpoint, "Bearer rt_" + "x".repeat(43));
      HttpResponse<String> other = send(endpoint + "?tenant=globex", KEYS.bearer("acme"));

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"runtrace\"");
      assertThat(bad.statusCode()).isEqualTo(401);
      assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"runtrace\", error=\"invalid_token\"");
      assertThat(other.statusCode()).isEqualTo(403);
      assertThat(JSON.readTree(other.body()).get("error").asText()).isEqualTo("forbidden");
    }
    assertThat(send("/metrics", null).body())
        .contains("runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"missing\"}");
  }

  @Test
  void aKeyBoundToAnEnvironmentReadsOnlyIt() throws Exception {
    assertThat(runIds(get("/v1/runs", "acme-prod", 200))).containsExactly("shared-id");
    assertThat(get("/v1/runs/acme-staging", "acme-prod", 404).get("error").asText()).isEqualTo("not_found");
    assertThat(send("/v1/runs?environment=staging", KEYS.bearer("acme-prod")).statusCode()).isEqualTo(403);
  }

  @Test
  void hostileStringsAre400OrEmptyAndNever5xxAndTheTablesSurvive() throws Exception {
    List<String> failures = new ArrayList<>();
    int served = 0;
    for (String endpoint : List.of("/v1/runs", "/v1/runs/shared-id", "/v1/runs/shared-id/trace", "/v1/stats")) {
      for (String parameter : RunHistoryAuthTest.PARAMETERS) {
        for (String value : RunHistoryAuthTest.HOSTILE) {
          String path = endpoint + "?" + parameter + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
          HttpResponse<String> r = send(path, KEYS.bearer("acme"));
          if (r.statusCode() >= 500 || r.statusCode() == 401) failures.add(r.statusCode() + " " + path.substring(0, Math.min(80, path.length())));
          if (r.statusCode() == 200 && endpoint.equals("/v1/runs")) {
            served++;
            // A hostile value is an exact filter that matches nothing; acme's runs only otherwise.
            assertThat(runIds(JSON.readTree(r.body()))).isSubsetOf("shared-id", "acme-staging");
            if (List.of("function", "app", "environment").contains(parameter)) {
              assertThat(runIds(JSON.readTree(r.body()))).as(path).isEmpty();
            }
          }
        }
      }
    }
    for (String value : RunHistoryAuthTest.HOSTILE) {
      for (String suffix : List.of("", "/trace")) {
        int status = send("/v1/runs/" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20") + suffix,
            KEYS.bearer("acme")).statusCode();
        if (status != 400 && status != 404) failures.add(status + " path " + value.substring(0, Math.min(20, value.length())));
      }
    }
    assertThat(failures).isEmpty();
    assertThat(served).as("some hostile values are valid filters and were queried").isPositive();
    assertThat(Rows.longValue(reader.query("SELECT count() AS n FROM " + DB + ".run_list").get(0), "n")).isEqualTo(4);
    assertThat(runIds(get("/v1/runs", "acme", 200))).containsExactly("acme-staging", "shared-id");
  }

  private static JsonNode get(String path, String key, int status) throws Exception {
    HttpResponse<String> r = send(path, KEYS.bearer(key));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> send(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path));
    if (authorization != null) b.header("Authorization", authorization);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ObjectNode staging(ObjectNode run) {
    return run.put("environment", "staging");
  }

  private static ObjectNode traceOf(ObjectNode run, String suffix) {
    return run.put("trace_id", run.get("trace_id").asText() + "-" + suffix);
  }

  private static ObjectNode span(String tenant, String traceId, String spanId) {
    ObjectNode s = RunHistoryServiceIT.span(spanId, "", T0 + SECOND);
    return s.put("tenant", tenant).put("trace_id", traceId).put("run_id", "shared-id");
  }

  private static List<String> runIds(JsonNode body) {
    List<String> ids = new ArrayList<>();
    body.get("runs").forEach(r -> ids.add(r.get("run_id").asText()));
    return ids;
  }
}
