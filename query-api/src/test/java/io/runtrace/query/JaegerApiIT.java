package io.runtrace.query;

import static io.runtrace.query.RunHistoryServiceIT.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.query.auth.Caller;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The Jaeger query API on each engine over a known trace (a root, two children, an event, an error
 * span, two resources) of acme, a second acme trace, a globex trace, and a bulk tenant's 400,000
 * spans: every endpoint's shape and values, tenant scoping, every search filter, and the rows each
 * of the API's statements reads (system.query_log), which stay far below the table.
 */
@ForEachClickHouseEngine
class JaegerApiIT {
  @Parameter ClickHouseEngine engine;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final String DB = "qa_jaeger_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  private static final TestKeys KEYS = TestKeys.forTenants("acme", "globex");
  /** Half an hour ago: inside Jaeger's default search window, the last hour. */
  static final long TJ = (System.currentTimeMillis() / 1000 - 1800) * SECOND + 123_456_789L;
  static final String TRACE = hex32();
  static final String TRACE2 = hex32();
  static final String TRACE3 = hex32();
  static final int BULK_SPANS = 400_000;
  private static ClickHouseDatabase writer;
  private static ClickHouseDatabase reader;
  private static RunHistoryService service;

  @BeforeParameterizedClassInvocation
  static void setUp(ClickHouseEngine engine, LocalStack stack) throws Exception {
    ClickHouseDeployment ch = stack.clickHouse(engine);
    writer = RunHistoryServiceIT.connect(ch.writerUrl(), DB);
    reader = RunHistoryServiceIT.connect(ch.readerUrl(), DB);
    RunHistoryServiceIT.migrate(ch, writer, reader);
    RunHistoryServiceIT.insertRuns(writer, run("acme", "run-j", TRACE, TJ, TJ + 2 * SECOND),
        run("acme", "run-k", TRACE2, TJ + 10 * SECOND, TJ + 10 * SECOND + SECOND / 10),
        run("globex", "run-g", TRACE3, TJ + 5 * SECOND, TJ + 6 * SECOND));
    ObjectNode error = span("", TRACE, "00000000000000c2", "00000000000000a1", "charge-card", "internal", "billing",
        TJ + 700_000_000L, TJ + 1_900_000_000L).put("status_code", "error").put("status_message", "card declined")
        .put("events", "[{\"name\":\"exception\",\"time_unix_nano\":" + (TJ + 1_500_000_000L)
            + ",\"attributes\":{\"exception.message\":\"card declined\",\"attempt\":2}}]");
    error.putArray("resource_values").add("billing").add("h2");
    writer.insertJsonEachRow(DB + ".spans", RunHistoryServiceIT.lines(
        span("acme", TRACE, "00000000000000a1", "", "charge-customer", "server", "executor", TJ, TJ + 2 * SECOND),
        attr(span("acme", TRACE, "00000000000000c1", "00000000000000a1", "fetch-customer", "client", "executor",
            TJ + 100_000_000L, TJ + 600_000_000L), "http.method", "GET"),
        error,
        span("acme", TRACE2, "00000000000000b1", "", "refund", "internal", "executor", TJ + 10 * SECOND,
            TJ + 10 * SECOND + 100_000_000L),
        span("globex", TRACE3, "00000000000000d1", "", "ship", "server", "globex-svc", TJ + 5 * SECOND, TJ + 6 * SECOND)));
    writer.execute("INSERT INTO " + DB + ".spans (tenant, environment, trace_id, span_id, parent_span_id, run_id, app,"
        + " function, step, attempt, name, kind, service, start_unix_nano, end_unix_nano, status_code, status_message,"
        + " attr_keys, attr_values, resource_keys, resource_values, events, trimmed, version)"
        + " SELECT 'bulk', 'prod', lower(hex(MD5(toString(intDiv(number, 10))))), toString(number), '', '', 'bulk',"
        + " 'bulk', '', 1, 'bulk-op', 'internal', 'executor', toUInt64(" + TJ + ") + number,"
        + " toUInt64(" + TJ + ") + number + 1000, 'ok', '', emptyArrayString(), emptyArrayString(), emptyArrayString(),"
        + " emptyArrayString(), '[]', 0, 1 FROM numbers(" + BULK_SPANS + ")");
    writer.execute("INSERT INTO " + DB + ".run_list (tenant, environment, created_unix_nano, trace_id, run_id, app,"
        + " function, status, stale, queued_unix_nano, started_unix_nano, ended_unix_nano, last_span_unix_nano,"
        + " updated_unix_nano, span_count, attempts, error, error_span_id, deleted, version)"
        + " SELECT 'bulk', 'prod', toUInt64(" + TJ + ") + number * 1000, lower(hex(MD5(toString(number)))),"
        + " concat('bulk-', toString(number)), 'bulk', 'bulk', 'completed', 0, toUInt64(" + TJ + ") + number * 1000, 0, 0,"
        + " toUInt64(" + TJ + ") + number * 1000, toUInt64(" + TJ + ") + number * 1000, 10, 1, '', '', 0, 1"
        + " FROM numbers(" + BULK_SPANS / 10 + ")");
    RunHistoryServiceIT.awaitRows(reader, "run_list", 3 + BULK_SPANS / 10);
    RunHistoryServiceIT.awaitRows(reader, "spans", 5 + BULK_SPANS);
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
  void servicesAndOperationsAreTheKeysTenants() throws Exception {
    assertThat(get("/api/services", "acme", 200).toString())
        .isEqualTo("{\"data\":[\"billing\",\"executor\"],\"total\":2,\"limit\":0,\"offset\":0,\"errors\":null}");
    assertThat(get("/api/services", "globex", 200).get("data").toString()).isEqualTo("[\"globex-svc\"]");
    assertThat(get("/api/services/executor/operations", "acme", 200).toString()).isEqualTo(
        "{\"data\":[\"charge-customer\",\"fetch-customer\",\"refund\"],\"total\":3,\"limit\":0,\"offset\":0,\"errors\":null}");
    assertThat(get("/api/operations?service=executor", "acme", 200).get("data").toString()).isEqualTo(
        "[{\"name\":\"charge-customer\",\"spanKind\":\"server\"},{\"name\":\"fetch-customer\",\"spanKind\":\"client\"},"
            + "{\"name\":\"refund\",\"spanKind\":\"internal\"}]");
    assertThat(get("/api/operations?service=executor&spanKind=client", "acme", 200).get("data").toString())
        .isEqualTo("[{\"name\":\"fetch-customer\",\"spanKind\":\"client\"}]");
    assertThat(get("/api/services/executor/operations", "globex", 200).get("data")).isEmpty();
  }

  @Test
  void aTraceByIdIsJaegersJsonWithExactValues() throws Exception {
    long us = TJ / 1000;
    String expected = """
        {"data":[{"traceID":"%1$s","spans":[
          {"traceID":"%1$s","spanID":"00000000000000a1","operationName":"charge-customer","references":[],
           "startTime":%2$d,"duration":2000000,
           "tags":[{"key":"runtrace.step","type":"string","value":"charge-customer"},
                   {"key":"span.kind","type":"string","value":"server"},
                   {"key":"otel.status_code","type":"string","value":"OK"}],
           "logs":[],"processID":"p1","warnings":null,"flags":1},
          {"traceID":"%1$s","spanID":"00000000000000c1","operationName":"fetch-customer",
           "references":[{"refType":"CHILD_OF","traceID":"%1$s","spanID":"00000000000000a1"}],
           "startTime":%3$d,"duration":500000,
           "tags":[{"key":"runtrace.step","type":"string","value":"fetch-customer"},
                   {"key":"http.method","type":"string","value":"GET"},
                   {"key":"span.kind","type":"string","value":"client"},
                   {"key":"otel.status_code","type":"string","value":"OK"}],
           "logs":[],"processID":"p1","warnings":null,"flags":1},
          {"traceID":"%1$s","spanID":"00000000000000c2","operationName":"charge-card",
           "references":[{"refType":"CHILD_OF","traceID":"%1$s","spanID":"00000000000000a1"}],
           "startTime":%4$d,"duration":1200000,
           "tags":[{"key":"runtrace.step","type":"string","value":"charge-card"},
                   {"key":"span.kind","type":"string","value":"internal"},
                   {"key":"otel.status_code","type":"string","value":"ERROR"},
                   {"key":"otel.status_description","type":"string","value":"card declined"},
                   {"key":"error","type":"bool","value":true}],
           "logs":[{"timestamp":%5$d,"fields":[{"key":"event","type":"string","value":"exception"},
             {"key":"exception.message","type":"string","value":"card declined"},
             {"key":"attempt","type":"int64","value":2}]}],
           "processID":"p2","warnings":null,"flags":1}],
         "processes":{"p1":{"serviceName":"executor","tags":[{"key":"host.name","type":"string","value":"h1"}]},
                      "p2":{"serviceName":"billing","tags":[{"key":"host.name","type":"string","value":"h2"}]}},
         "warnings":null}],
         "total":0,"limit":0,"offset":0,"errors":null}
        """.formatted(TRACE, us, us + 100_000, us + 700_000, us + 1_500_000);

    JsonNode answer = get("/api/traces/" + TRACE, "acme", 200);
    // The README's example answer is this line.
    System.out.println("JAEGER_EXAMPLE " + answer);
    assertThat(answer.toString()).isEqualTo(JSON.readTree(expected).toString());
    // Upper case, Grafana's millisecond bounds: the same trace.
    assertThat(get("/api/traces/" + TRACE.toUpperCase() + "?start=" + (TJ / 1_000_000 - 60_000) + "&end="
        + (TJ / 1_000_000 + 60_000), "acme", 200).toString()).isEqualTo(JSON.readTree(expected).toString());
  }

  @Test
  void anotherTenantsTraceIs404LikeAMissingOne() throws Exception {
    HttpResponse<String> foreign = send("/api/traces/" + TRACE, KEYS.bearer("globex"));
    HttpResponse<String> missing = send("/api/traces/" + hex32(), KEYS.bearer("acme"));
    String notFound = "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":404,\"msg\":\"trace not found\"}]}";

    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).isEqualTo(notFound);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo(notFound);
    assertThat(search("service=globex-svc", "acme")).isEmpty();
    assertThat(search("service=executor", "globex")).isEmpty();
    assertThat(search("service=globex-svc", "globex")).containsExactly(TRACE3);
  }

  @Test
  void searchFiltersByOperationTagsDurationsLimitAndWindow() throws Exception {
    assertThat(search("service=executor", "acme")).containsExactly(TRACE2, TRACE);
    assertThat(search("service=executor&operation=fetch-customer", "acme")).containsExactly(TRACE);
    assertThat(search("service=billing&tags=" + enc("{\"error\":\"true\"}"), "acme")).containsExactly(TRACE);
    // The error span is billing's: no executor span has the tag.
    assertThat(search("service=executor&tags=" + enc("{\"error\":\"true\"}"), "acme")).isEmpty();
    assertThat(search("service=executor&tags=" + enc("http.method=GET"), "acme")).containsExactly(TRACE);
    assertThat(search("service=executor&tag=host.name:h1&tag=span.kind:client", "acme")).containsExactly(TRACE);
    assertThat(search("service=executor&minDuration=1s", "acme")).containsExactly(TRACE);
    assertThat(search("service=executor&maxDuration=200ms", "acme")).containsExactly(TRACE2);
    assertThat(search("service=executor&minDuration=150ms&maxDuration=0.6s", "acme")).containsExactly(TRACE);
    assertThat(search("service=executor&limit=1", "acme")).containsExactly(TRACE2);
    assertThat(search("service=executor&start=" + (TJ + 5 * SECOND) / 1000, "acme")).containsExactly(TRACE2);
    assertThat(search("service=executor&start=" + (TJ - SECOND) / 1000 + "&end=" + (TJ + 5 * SECOND) / 1000, "acme"))
        .containsExactly(TRACE);
    assertThat(search("service=executor&end=" + (TJ - SECOND) / 1000, "acme")).isEmpty();

    JsonNode one = get("/api/traces?service=executor&operation=refund", "acme", 200);
    assertThat(one.get("data").get(0).get("spans").get(0).get("duration").asLong()).isEqualTo(100_000);
    assertThat(one.get("data").get(0).get("spans").get(0).get("startTime").asLong()).isEqualTo((TJ + 10 * SECOND) / 1000);
    assertThat(get("/api/traces?service=executor&operation=charge-customer", "acme", 200)
        .get("data").get(0).get("spans")).hasSize(3);
    assertThat(get("/api/traces?service=executor&minDuration=abc", "acme", 400).get("errors").get(0).get("msg").asText())
        .startsWith("unable to parse param 'minDuration'");
  }

  @Test
  void everyStatementReadsFarFewerRowsThanTheTables() throws Exception {
    List<String> sql = new ArrayList<>();
    RunHistoryApi api = new RunHistoryApi(new RecordingReplica(DB, reader::query, reader::ping, sql), Clock.systemUTC(),
        new QueryMetrics(new SimpleMeterRegistry()), RunHistoryApi.listSettings(50, 1000, Duration.ofDays(7),
            Duration.ofDays(31)), 10_000);
    Caller acme = Caller.ofTenant("acme", List.of());
    api.jaeger().answer("/api/services", "/api/services", acme, null);
    api.jaeger().answer("/api/services/{service}/operations", "/api/services/executor/operations", acme, null);
    api.jaeger().answer("/api/traces", "/api/traces", acme, "service=executor&tags=" + enc("{\"error\":\"true\"}"));
    assertThat(api.jaeger().answer("/api/traces", "/api/traces", acme, "service=executor").get("data")).hasSize(2);
    api.jaeger().answer("/api/traces/{traceId}", "/api/traces/" + TRACE, acme, null);

    assertThat(sql).hasSizeGreaterThanOrEqualTo(9);
    for (String statement : sql) {
      QueryLog.Read read = QueryLog.of(reader, statement);
      System.out.printf("JAEGER engine=%s read_rows=%,d %s%n", engine, read.rows(),
          statement.substring(0, Math.min(90, statement.length())));
      // The tables hold 400,005 spans and 40,003 runs; a statement reads granules of its keys.
      assertThat(read.rows()).as(statement).isLessThan(BULK_SPANS / 8);
    }
  }

  private static List<String> search(String query, String key) throws Exception {
    List<String> ids = new ArrayList<>();
    get("/api/traces?" + query, key, 200).get("data").forEach(t -> ids.add(t.get("traceID").asText()));
    return ids;
  }

  private static JsonNode get(String path, String key, int status) throws Exception {
    HttpResponse<String> r = send(path, KEYS.bearer(key));
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> send(String path, String authorization) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static ObjectNode run(String tenant, String runId, String traceId, long created, long ended) {
    ObjectNode run = RunHistoryServiceIT.run(tenant, runId, "completed", created, ended, 1);
    return run.put("trace_id", traceId).put("started_unix_nano", created);
  }

  private static ObjectNode span(String tenant, String traceId, String spanId, String parent, String name, String kind,
      String service, long start, long end) {
    ObjectNode row = JSON.createObjectNode();
    row.put("tenant", tenant).put("environment", "prod").put("trace_id", traceId).put("span_id", spanId)
        .put("parent_span_id", parent).put("run_id", "").put("app", "billing").put("function", "charge")
        .put("step", name).put("attempt", 1).put("name", name).put("kind", kind).put("service", service)
        .put("start_unix_nano", start).put("end_unix_nano", end).put("status_code", "ok").put("status_message", "")
        .put("events", "[]").put("trimmed", 0).put("version", 1);
    row.putArray("attr_keys").add("runtrace.step");
    row.putArray("attr_values").add(name);
    row.putArray("resource_keys").add("service.name").add("host.name");
    row.putArray("resource_values").add(service).add("h1");
    return row;
  }

  private static ObjectNode attr(ObjectNode span, String key, String value) {
    ((com.fasterxml.jackson.databind.node.ArrayNode) span.get("attr_keys")).add(key);
    ((com.fasterxml.jackson.databind.node.ArrayNode) span.get("attr_values")).add(value);
    return span;
  }

  private static String hex32() {
    return String.format("%016x%016x", ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong());
  }
}
