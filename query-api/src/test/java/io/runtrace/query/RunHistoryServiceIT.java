package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.schema.SchemaMigrator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Rows written on the writer, visible on the reader (replicated on 18.16, the same server on
 * 26.7), served by the service that only knows the reader.
 */
@ForEachClickHouseEngine
class RunHistoryServiceIT {
  // Declares the engine argument, which only the per-engine set-up uses.
  @Parameter ClickHouseEngine engine;
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long SECOND = 1_000_000_000L;
  /** Two hours ago, inside the default window of the list and of the stats. */
  static final long T0 = (System.currentTimeMillis() / 1000 - 7200) * SECOND + 123_456_789L;

  private static final String DB = "qa_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private static ClickHouseDatabase writer;
  private static ClickHouseDatabase reader;
  private static RunHistoryService service;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  /** A key per tenant of these tests; a request uses the key of its {@code tenant} parameter, else acme's. */
  static final TestKeys KEYS = TestKeys.forTenants("acme", "other", "pager", "lag");

  @BeforeParameterizedClassInvocation
  static void setUp(ClickHouseEngine engine, LocalStack stack) throws Exception {
    ClickHouseDeployment ch = stack.clickHouse(engine);
    writer = connect(ch.writerUrl(), DB);
    reader = connect(ch.readerUrl(), DB);
    migrate(ch, writer, reader);

    insertRuns(writer,
        run("acme", "run-a", "completed", T0, T0 + 5 * SECOND, 1),
        run("acme", "run-b", "failed", T0 + SECOND, T0 + 6 * SECOND, 1),
        run("acme", "run-c", "running", T0 + 2 * SECOND, 0, 1),
        run("other", "run-d", "running", T0 + 3 * SECOND, 0, 1));
    // A second insert block: the newer version of run-c must win over the first.
    insertRuns(writer, run("acme", "run-c", "completed", T0 + 2 * SECOND, T0 + 9 * SECOND, 2));
    long hour = T0 / SECOND / 3600 * 3600;
    insertStats(writer, "acme", hour, "charge", "completed", 1, 1, 1000);
    insertStats(writer, "acme", hour, "charge", "completed", 2, 2, 1000, 3000);
    insertStats(writer, "acme", hour, "charge", "failed", 1, 1, 500);
    insertStats(writer, "acme", hour - 3600, "refund", "completed", 1, 1, 2000);
    insertStats(writer, "other", hour, "charge", "completed", 1, 5, 100);
    writer.insertJsonEachRow(DB + ".spans", lines(
        span("root", "", T0 + 2 * SECOND),
        span("child-2", "root", T0 + 4 * SECOND),
        span("child-1", "root", T0 + 3 * SECOND),
        span("grandchild", "child-1", T0 + 3 * SECOND + 1000),
        span("orphan", "never-arrived", T0 + 5 * SECOND),
        span("other", "foreign", "root", T0 + 6 * SECOND),
        span("", "no-tenant-yet", "root", T0 + 7 * SECOND)));
    awaitRows(reader, "run_list", 5);
    awaitRows(reader, "spans", 7);
    awaitRows(reader, "run_stats", 5);

    service = RunHistoryService.builder().reader(reader).apiKeyFile(KEYS.file).host("127.0.0.1").port(0).build().start();
  }

  @AfterParameterizedClassInvocation
  static void tearDown() {
    if (service != null) service.close();
    writer.dropDatabaseIfExists(DB);
    writer.close();
    reader.dropDatabaseIfExists(DB);
    reader.close();
  }

  /** The schema on the writer, and on the reader when it is a separate replica. */
  static void migrate(ClickHouseDeployment ch, ClickHouseDatabase writer, ClickHouseDatabase reader) {
    SchemaMigrator.Builder migrator = SchemaMigrator.builder().clickHouse(writer).database(writer.database())
        .replicated(ch.replicated());
    if (ch.replicated()) migrator.clickHouse(reader);
    migrator.build().migrate();
  }

  @Test
  void listsNewestFirstWithLimit() throws Exception {
    // The key's tenant, with or without the parameter; another tenant's key sees its own runs only.
    JsonNode byKey = getJson("/v1/runs?limit=2", 200);
    JsonNode acme = getJson("/v1/runs?tenant=acme&limit=2", 200);
    JsonNode other = getJson("/v1/runs?tenant=other&limit=50", 200);

    assertThat(runIds(byKey.get("runs"))).containsExactly("run-c", "run-b");
    assertThat(runIds(acme.get("runs"))).containsExactly("run-c", "run-b");
    assertThat(runIds(other.get("runs"))).containsExactly("run-d");
    assertThat(acme.get("freshness").get("latest_update").asText()).isEqualTo(Rows.isoOrNull(T0 + 9 * SECOND));
  }

  @Test
  void filtersByStatus() throws Exception {
    JsonNode body = getJson("/v1/runs?tenant=acme&status=failed", 200);

    assertThat(runIds(body.get("runs"))).containsExactly("run-b");
  }

  @Test
  void latestVersionOfARunWins() throws Exception {
    JsonNode run = getJson("/v1/runs/run-c?tenant=acme&environment=prod", 200).get("run");

    assertThat(run.get("status").asText()).isEqualTo("completed");
    assertThat(run.get("ended_at").asText()).isEqualTo(Rows.isoOrNull(T0 + 9 * SECOND));
    assertThat(run.get("duration_ms").asDouble()).isEqualTo(5000.0);
    assertThat(runIds(getJson("/v1/runs?tenant=acme&limit=50", 200).get("runs"))).containsOnlyOnce("run-c");
  }

  @Test
  void cursorsPageThroughEveryRunOnceAndSayWhenThereAreNoMore() throws Exception {
    List<String> ids = new ArrayList<>();
    JsonNode page = getJson("/v1/runs?tenant=acme&limit=1", 200);
    ids.addAll(runIds(page.get("runs")));
    while (page.get("has_more").asBoolean()) {
      page = getJson("/v1/runs?tenant=acme&limit=1&cursor=" + page.get("next_cursor").asText(), 200);
      ids.addAll(runIds(page.get("runs")));
    }
    assertThat(ids).containsExactly("run-c", "run-b", "run-a");
    assertThat(page.get("next_cursor").isNull()).isTrue();
  }

  @Test
  void followingCursorsWhileRunsArriveAndChangeNeitherSkipsNorRepeats() throws Exception {
    long base = T0 - 3600 * SECOND;
    int originals = 240;
    List<String> expected = new ArrayList<>();
    ObjectNode[] rows = new ObjectNode[originals];
    for (int i = 0; i < originals; i++) {
      rows[i] = run("pager", String.format("p-%03d", i), "running", base + i * 10 * SECOND, 0, 1);
      expected.add(0, rows[i].get("run_id").asText());
    }
    insertRuns(writer, rows);
    awaitCount("SELECT count() AS n FROM " + DB + ".run_list WHERE tenant = 'pager'", originals);

    java.util.concurrent.atomic.AtomicBoolean paging = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger writesDone = new java.util.concurrent.atomic.AtomicInteger();
    Thread writes = new Thread(() -> {
      java.util.Random random = new java.util.Random(7);
      for (int n = 0; paging.get(); n++) {
        int i = random.nextInt(originals);
        long now = System.currentTimeMillis() * 1_000_000L;
        insertRuns(writer,
            // An existing run changes status: a newer version under the same key.
            run("pager", String.format("p-%03d", i), random.nextBoolean() ? "completed" : "failed",
                base + i * 10 * SECOND, now, 2 + n),
            // A new run, and one that arrives late into the hours being paged.
            run("pager", "new-" + n, "queued", now, 0, 1),
            run("pager", "late-" + n, "running", base + random.nextInt(originals * 10) * SECOND + 1, 0, 1));
        writesDone.incrementAndGet();
        sleepMs(20);
      }
    }, "concurrent-writes");
    writes.start();
    List<String> seen = new ArrayList<>();
    try {
      JsonNode page = getJson("/v1/runs?tenant=pager&limit=20", 200);
      seen.addAll(runIds(page.get("runs")));
      while (page.get("has_more").asBoolean()) {
        sleepMs(100);
        page = getJson("/v1/runs?tenant=pager&limit=20&cursor=" + page.get("next_cursor").asText(), 200);
        seen.addAll(runIds(page.get("runs")));
      }
    } finally {
      paging.set(false);
      writes.join();
    }
    assertThat(writesDone.get()).as("writes during the paging").isGreaterThan(10);
    assertThat(seen).doesNotHaveDuplicates();
    List<String> originalsSeen = new ArrayList<>(seen);
    originalsSeen.removeIf(id -> !id.startsWith("p-"));
    assertThat(originalsSeen).containsExactlyElementsOf(expected);
  }

  @Test
  void theWindowBoundsTheList() throws Exception {
    String from = Rows.iso(java.time.Instant.ofEpochSecond(0, T0 + SECOND));
    String to = Rows.iso(java.time.Instant.ofEpochSecond(0, T0 + 2 * SECOND));
    JsonNode body = getJson("/v1/runs?tenant=acme&from=" + from + "&to=" + to, 200);

    assertThat(runIds(body.get("runs"))).containsExactly("run-b");
    assertThat(body.get("window").get("from").asText()).isEqualTo(from);
  }

  @Test
  void aBadCursorIs400ThatSaysSo() throws Exception {
    assertThat(getJson("/v1/runs?cursor=bm90LWEtY3Vyc29y", 400).get("message").asText())
        .isEqualTo("cursor is not a cursor this API gave out; take next_cursor from a page");
    String cursor = getJson("/v1/runs?tenant=acme&limit=1", 200).get("next_cursor").asText();
    assertThat(getJson("/v1/runs?tenant=other&cursor=" + cursor, 400).get("message").asText())
        .startsWith("cursor was made for another query");
  }

  @Test
  void statsComeFromTheRollupNewestVersionOnlyOneTenant() throws Exception {
    JsonNode stats = getJson("/v1/stats?tenant=acme", 200);

    assertThat(stats.get("runs").asLong()).isEqualTo(4);
    assertThat(stats.get("by_status").get("completed").asLong()).isEqualTo(3);
    assertThat(stats.get("by_status").get("failed").asLong()).isEqualTo(1);
    assertThat(stats.get("failure_rate").asDouble()).isEqualTo(0.25);
    assertThat(stats.get("duration_ms").get("p50").asDouble()).isBetween(500.0, 3000.0);
    assertThat(stats.get("duration_ms").get("p99").asDouble()).isBetween(2000.0, 3000.0);
    List<String> functions = new ArrayList<>();
    stats.get("functions").forEach(f -> functions.add(f.get("function").asText() + "=" + f.get("runs").asLong()));
    assertThat(functions).containsExactlyInAnyOrder("charge=3", "refund=1");
    JsonNode series = stats.get("series");
    assertThat(series).hasSize(2);
    assertThat(series.get(1).get("by_status").get("completed").asLong()).isEqualTo(2);
    assertThat(series.get(1).get("by_status").get("failed").asLong()).isEqualTo(1);
    assertThat(getJson("/v1/stats?tenant=acme&bucket=1d", 200).get("series").get(0).get("by_status")
        .get("completed").asLong()).isIn(1L, 3L); // the two hours may straddle midnight
    assertThat(getJson("/v1/stats?bucket=7x", 400).get("message").asText()).startsWith("bucket must be");
  }

  @Test
  void unknownRunIs404() throws Exception {
    assertThat(getJson("/v1/runs/run-zzz", 404).get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void badLimitIs400() throws Exception {
    assertThat(getJson("/v1/runs?limit=0", 400).get("message").asText()).isEqualTo("limit must be 1..1000, was 0");
  }

  @Test
  void traceIsATreeWithOrphansAsRoots() throws Exception {
    JsonNode body = getJson("/v1/runs/run-c/trace", 200);

    JsonNode spans = body.get("spans");
    assertThat(spanIds(spans)).containsExactly("root", "orphan");
    // A span without a tenant yet is shown; one claiming another tenant is not.
    assertThat(spanIds(spans.get(0).get("children"))).containsExactly("child-1", "child-2", "no-tenant-yet");
    assertThat(spanIds(spans.get(0).get("children").get(0).get("children"))).containsExactly("grandchild");
    assertThat(spans.get(0).get("attributes").get("runtrace.run_id").asText()).isEqualTo("run-c");
    assertThat(body.get("truncated").asBoolean()).isFalse();
    assertThat(body.get("run").get("status").asText()).isEqualTo("completed");
  }

  static JsonNode getJson(RunHistoryService service, String pathAndQuery, int expectedStatus) throws Exception {
    java.util.regex.Matcher tenant = java.util.regex.Pattern.compile("[?&]tenant=([a-z]+)").matcher(pathAndQuery);
    HttpResponse<String> response = CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + pathAndQuery))
            .header("Authorization", KEYS.bearer(tenant.find() ? tenant.group(1) : "acme")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
    return JSON.readTree(response.body());
  }

  private static JsonNode getJson(String pathAndQuery, int expectedStatus) throws Exception {
    return getJson(service, pathAndQuery, expectedStatus);
  }

  static ClickHouseDatabase connect(URI url, String database) {
    return ClickHouseDatabase.builder().url(url).database(database).maxExecutionTime(Duration.ofSeconds(10)).build();
  }

  private static void awaitCount(String sql, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline) {
      seen = Rows.longValue(reader.query(sql).get(0), "n");
      if (seen >= rows) return;
      Thread.sleep(200);
    }
    throw new AssertionError(sql + " on the reader gives " + seen + " after 60 s, expected " + rows);
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void awaitRows(ClickHouseDatabase reader, String table, int rows) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline) {
      seen = Rows.longValue(reader.query("SELECT count() AS n FROM " + reader.database() + "." + table).get(0), "n");
      if (seen >= rows) return;
      Thread.sleep(200);
    }
    throw new AssertionError(table + " on the reader has " + seen + " rows after 60 s, expected " + rows);
  }

  /** Writes runs as the stream processor does: their list rows, and their id rows. */
  static void insertRuns(ClickHouseDatabase writer, ObjectNode... runs) {
    writer.insertJsonEachRow(writer.database() + ".run_list", lines(runs));
    ObjectNode[] ids = new ObjectNode[runs.length];
    for (int i = 0; i < runs.length; i++) {
      ids[i] = JSON.createObjectNode();
      for (String f : List.of("tenant", "run_id", "trace_id", "environment", "created_unix_nano", "version")) {
        ids[i].set(f, runs[i].get(f));
      }
    }
    writer.insertJsonEachRow(writer.database() + ".run_ids", lines(ids));
  }

  /** A rollup row as the stream processor's refresher writes it, with these durations in ms. */
  static void insertStats(ClickHouseDatabase writer, String tenant, long hour, String function, String status,
      long version, long runs, double... durationsMs) {
    StringBuilder durations = new StringBuilder();
    for (double d : durationsMs) durations.append(durations.length() == 0 ? "" : ", ").append(d);
    writer.execute("INSERT INTO " + writer.database() + ".run_stats"
        + " (tenant, environment, hour, app, function, status, runs, durations, version)"
        + " SELECT '" + tenant + "', 'prod', toDateTime(" + hour + "), 'billing', '" + function + "', '" + status
        + "', " + runs + ", quantilesTDigestState(0.5, 0.95, 0.99)(d), " + version
        + " FROM (SELECT arrayJoin([" + durations + "]) AS d)");
  }

  static ObjectNode run(String tenant, String runId, String status, long queued, long ended, long version) {
    ObjectNode row = JSON.createObjectNode();
    row.put("tenant", tenant).put("environment", "prod").put("run_id", runId).put("trace_id", "trace-" + runId)
        .put("app", "billing").put("function", "charge").put("status", status).put("stale", 0)
        .put("queued_unix_nano", queued).put("started_unix_nano", queued + 2 * SECOND).put("ended_unix_nano", ended)
        .put("last_span_unix_nano", Math.max(queued, ended)).put("created_unix_nano", queued)
        .put("updated_unix_nano", Math.max(queued, ended)).put("span_count", 5).put("attempts", 1)
        .put("error", "failed".equals(status) ? "card declined" : "").put("error_span_id", "").put("deleted", 0)
        .put("version", version);
    return row;
  }

  static ObjectNode span(String spanId, String parentId, long start) {
    return span("acme", spanId, parentId, start);
  }

  private static ObjectNode span(String tenant, String spanId, String parentId, long start) {
    ObjectNode row = JSON.createObjectNode();
    row.put("tenant", tenant).put("environment", "prod").put("trace_id", "trace-run-c").put("span_id", spanId)
        .put("parent_span_id", parentId).put("run_id", "run-c").put("app", "billing").put("function", "charge")
        .put("step", spanId).put("attempt", 1).put("name", "step " + spanId).put("kind", "internal")
        .put("service", "executor").put("start_unix_nano", start).put("end_unix_nano", start + SECOND / 2)
        .put("status_code", "ok").put("status_message", "").put("events", "[]").put("trimmed", 0).put("version", 1);
    row.putArray("attr_keys").add("runtrace.run_id");
    row.putArray("attr_values").add("run-c");
    row.putArray("resource_keys").add("service.name");
    row.putArray("resource_values").add("executor");
    return row;
  }

  static byte[] lines(ObjectNode... rows) {
    StringBuilder sb = new StringBuilder();
    for (ObjectNode row : rows) sb.append(row).append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> runIds(JsonNode runs) {
    List<String> ids = new ArrayList<>();
    runs.forEach(r -> ids.add(r.get("run_id").asText()));
    return ids;
  }

  private static List<String> spanIds(JsonNode spans) {
    List<String> ids = new ArrayList<>();
    spans.forEach(s -> ids.add(s.get("span_id").asText()));
    return ids;
  }
}
