package io.runtrace.query;

import static io.runtrace.query.RunHistoryServiceIT.SECOND;
import static io.runtrace.query.RunHistoryServiceIT.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import io.runtrace.schema.SchemaMigrator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API over the 18.16 stack with a writer and two reader replicas, reading as the stack's
 * {@code reader} user: a reader killed under load, a reader that lags, a reader that refuses the
 * credential. Needs separate replicas, so 18.16 only; it starts its own stack.
 */
class ReaderRoutingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String DB = "qa_route_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  private static final int RUNS = 60;
  private static final int PAGE = 20;

  private static LocalStack stack;
  private static ClickHouseDeployment ch;
  private static ClickHouseDatabase writer;
  private static final List<ClickHouseDatabase> admins = new ArrayList<>();

  @BeforeAll
  static void startStack() throws Exception {
    String engines = System.getProperty("runtrace.clickhouse", System.getenv("RUNTRACE_IT_CLICKHOUSE"));
    assumeTrue(engines == null || engines.isBlank() || engines.contains("18.16"), "needs the replicated 18.16 stack");
    stack = LocalStack.builder().workDir(Path.of(System.getProperty("user.dir"), "target", "it-reader-routing-stack"))
        .clickHouseEngines(ClickHouseEngine.V18_16).clickHouseReaders(2).build().start();
    ch = stack.clickHouse(ClickHouseEngine.V18_16);
    writer = RunHistoryServiceIT.connect(ch.writerUrl(), DB);
    SchemaMigrator.Builder migrator = SchemaMigrator.builder().clickHouse(writer).database(DB).replicated(true);
    for (URI url : ch.readerUrls()) {
      ClickHouseDatabase admin = RunHistoryServiceIT.connect(url, DB);
      admins.add(admin);
      migrator.clickHouse(admin);
    }
    migrator.build().migrate();

    ObjectNode[] runs = new ObjectNode[RUNS];
    for (int i = 0; i < RUNS; i++) runs[i] = knownRun("acme", i);
    RunHistoryServiceIT.insertRuns(writer, runs);
    long hour = T0 / SECOND / 3600 * 3600;
    RunHistoryServiceIT.insertStats(writer, "acme", hour, "charge", "completed", 1, 30, 1000, 2000);
    RunHistoryServiceIT.insertStats(writer, "acme", hour, "charge", "failed", 1, 15, 500);
    for (ClickHouseDatabase reader : admins) {
      RunHistoryServiceIT.awaitRows(reader, "run_list", RUNS);
      RunHistoryServiceIT.awaitRows(reader, "run_ids", RUNS);
      RunHistoryServiceIT.awaitRows(reader, "run_stats", 2);
    }
  }

  @AfterAll
  static void stopStack() {
    admins.forEach(ClickHouseDatabase::close);
    if (writer != null) writer.close();
    if (stack != null) stack.close();
  }

  @Test
  void aReaderKilledUnderLoadFailsNoRequestAndTheOtherServesCorrectAnswers() throws Exception {
    List<ClickHouseDatabase> readers = apiReaders(StackCredentials.CLICKHOUSE_READER_PASSWORD,
        StackCredentials.CLICKHOUSE_READER_PASSWORD);
    String dying = ch.readerUrls().get(0).toString();
    String surviving = ch.readerUrls().get(1).toString();
    ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    AtomicBoolean loading = new AtomicBoolean(true);
    try (RunHistoryService service = service(readers, Duration.ofSeconds(30))) {
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        Thread client = new Thread(() -> {
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
          for (int i = seed; loading.get() && i < 20_000 && System.nanoTime() < until; i += 4) {
            calls.add(call(service, i));
          }
        }, "api-client-" + t);
        client.start();
        clients.add(client);
      }
      awaitCalls(calls, c -> true, 60, "calls before the kill");
      ch.killReader(0);
      long killed = System.nanoTime();
      awaitCalls(calls, c -> c.startNanos > killed, 150, "calls after the kill");
      loading.set(false);
      for (Thread client : clients) client.join(TimeUnit.SECONDS.toMillis(30));

      List<Call> all = new ArrayList<>(calls);
      assertThat(all).filteredOn(c -> c.error != null).extracting(c -> c.error).as("failed or wrong answers").isEmpty();
      assertThat(all).filteredOn(c -> c.endNanos < killed).extracting(c -> c.replica).as("both served before the kill")
          .contains(dying, surviving);
      assertThat(all).filteredOn(c -> c.startNanos > killed).extracting(c -> c.replica).containsOnly(surviving);
      String metrics = service.meterRegistry().scrape();
      assertThat(metric(metrics, "runtrace_query_reader_failovers_total", dying))
          .as("reads that were in flight on, or sent to, the killed reader ran again on the other").isGreaterThanOrEqualTo(1);
      assertThat(metric(metrics, "runtrace_query_reader_up", dying)).isZero();
      assertThat(metric(metrics, "runtrace_query_reader_up", surviving)).isEqualTo(1);
      JsonNode health = RunHistoryServiceIT.getJson(service, "/health", 200);
      assertThat(health.get("readers").get(0).get("up").asBoolean()).isFalse();
      assertThat(health.get("readers").get(0).get("reason").asText()).isNotBlank();
      assertThat(health.get("readers").get(1).get("up").asBoolean()).isTrue();

      ch.startReader(0);
      // Restarted, 18.16 reports a huge absolute_delay until its replication queue is loaded:
      // the reader is back when it is up and within the delay bound again.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode back = RunHistoryServiceIT.getJson(service, "/health", 200).get("readers").get(0);
      while (!(back.get("up").asBoolean() && back.get("delay_s").asLong() <= 30) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        back = RunHistoryServiceIT.getJson(service, "/health", 200).get("readers").get(0);
      }
      assertThat(back.get("up").asBoolean()).as("a check sees the reader back: " + back).isTrue();
      assertThat(back.get("delay_s").asLong()).as("and caught up: " + back).isLessThanOrEqualTo(30);
      List<String> servedBy = new ArrayList<>();
      for (int i = 0; i < 12; i++) servedBy.add(check(service, i));
      assertThat(servedBy).contains(dying, surviving);
    } finally {
      loading.set(false);
      readers.forEach(ClickHouseDatabase::close);
    }
  }

  @Test
  void aLaggingReaderIsSkippedWhileTheOtherIsFresh() throws Exception {
    ClickHouseDatabase lagging = admins.get(1);
    String fresh = ch.readerUrls().get(0).toString();
    List<ClickHouseDatabase> readers = apiReaders(StackCredentials.CLICKHOUSE_READER_PASSWORD,
        StackCredentials.CLICKHOUSE_READER_PASSWORD);
    for (String table : List.of("run_list", "run_ids")) lagging.execute("SYSTEM STOP FETCHES " + DB + "." + table);
    try (RunHistoryService service = service(readers, Duration.ofSeconds(2))) {
      ObjectNode[] runs = new ObjectNode[5];
      for (int i = 0; i < runs.length; i++) runs[i] = knownRun("lag", i);
      RunHistoryServiceIT.insertRuns(writer, runs);
      RunHistoryServiceIT.awaitRows(admins.get(0), "run_list", RUNS + runs.length);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode laggard = null;
      while (System.nanoTime() < deadline) {
        laggard = RunHistoryServiceIT.getJson(service, "/health", 200).get("readers").get(1);
        if (laggard.get("delay_s").asLong() > 2) break;
        Thread.sleep(200);
      }
      assertThat(laggard.get("delay_s").asLong()).as("the reader without fetches reports its delay: " + laggard)
          .isGreaterThan(2);
      assertThat(laggard.get("up").asBoolean()).as("lagging, not down").isTrue();

      for (int i = 0; i < 10; i++) {
        JsonNode body = RunHistoryServiceIT.getJson(service, "/v1/runs?tenant=lag", 200);
        assertThat(runIds(body)).containsExactly("run-04", "run-03", "run-02", "run-01", "run-00");
        assertThat(body.get("freshness").get("replica").asText()).isEqualTo(fresh);
        assertThat(body.get("freshness").get("replica_delay_s").asLong()).isLessThanOrEqualTo(2);
        JsonNode run = RunHistoryServiceIT.getJson(service, "/v1/runs/run-03?tenant=lag&environment=prod", 200);
        assertThat(run.get("freshness").get("replica").asText()).isEqualTo(fresh);
      }
    } finally {
      for (String table : List.of("run_list", "run_ids")) lagging.execute("SYSTEM START FETCHES " + DB + "." + table);
      readers.forEach(ClickHouseDatabase::close);
    }
    RunHistoryServiceIT.awaitRows(lagging, "run_list", RUNS + 5);
  }

  @Test
  void aReaderThatRefusesTheCredentialIsDownCountedAndTheOtherServes() throws Exception {
    List<ClickHouseDatabase> readers = apiReaders("not-the-password", StackCredentials.CLICKHOUSE_READER_PASSWORD);
    String refusing = ch.readerUrls().get(0).toString();
    String good = ch.readerUrls().get(1).toString();
    try (RunHistoryService service = service(readers, Duration.ofSeconds(30))) {
      JsonNode health = RunHistoryServiceIT.getJson(service, "/health", 200);
      assertThat(health.get("readers").get(0).get("up").asBoolean()).isFalse();
      assertThat(health.get("readers").get(0).get("reason").asText()).isEqualTo("refused user reader");
      assertThat(health.toString()).doesNotContain("not-the-password");
      for (int i = 0; i < 9; i++) assertThat(check(service, i)).isEqualTo(good);
      String metrics = service.meterRegistry().scrape();
      assertThat(metrics).containsPattern(
          "runtrace_auth_failures_total\\{component=\"query-api\",credential=\"clickhouse\",reason=\"refused\"} [1-9]");
      assertThat(metric(metrics, "runtrace_query_reader_up", refusing)).isZero();
    } finally {
      readers.forEach(ClickHouseDatabase::close);
    }

    List<ClickHouseDatabase> bad = apiReaders("not-the-password", "nor-this");
    try (RunHistoryService service = service(bad, Duration.ofSeconds(30))) {
      JsonNode health = RunHistoryServiceIT.getJson(service, "/health", 503);
      assertThat(health.get("reason").asText()).isEqualTo("no ClickHouse reader is up; " + refusing
          + ": refused user reader; " + good + ": refused user reader");
      assertThat(RunHistoryServiceIT.getJson(service, "/v1/runs?tenant=acme", 503).get("error").asText())
          .isEqualTo("unavailable");
    } finally {
      bad.forEach(ClickHouseDatabase::close);
    }
  }

  /** The API's clients of both readers, as user {@code reader} with these passwords. */
  private static List<ClickHouseDatabase> apiReaders(String password0, String password1) {
    List<ClickHouseDatabase> readers = new ArrayList<>();
    String[] passwords = {password0, password1};
    for (int i = 0; i < 2; i++) {
      readers.add(ClickHouseDatabase.builder().url(ch.readerUrls().get(i)).database(DB)
          .user(StackCredentials.CLICKHOUSE_READER_USER).password(passwords[i])
          .maxExecutionTime(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(15))
          .maxResultRows(RunHistoryServiceBuilder.DEFAULT_MAX_SPANS_PER_TRACE + 1L).build());
    }
    return readers;
  }

  private static RunHistoryService service(List<ClickHouseDatabase> readers, Duration maxReplicaDelay) {
    // The load here is one tenant's: its fair-share limits are lifted so that only the readers are tested.
    return RunHistoryService.builder().readers(readers).readerCheckInterval(Duration.ofMillis(300))
        .maxReplicaDelay(maxReplicaDelay).apiKeyFile(RunHistoryServiceIT.KEYS.file)
        .tenantMaxInFlight(256).tenantRatePerSecond(100_000).tenantBurst(100_000)
        .host("127.0.0.1").port(0).build().start();
  }

  /** Run {@code i} of a tenant: queued {@code i} seconds after T0; completed, failed or running by {@code i % 3}. */
  private static ObjectNode knownRun(String tenant, int i) {
    String status = knownStatus(i);
    long queued = T0 + i * SECOND;
    return RunHistoryServiceIT.run(tenant, String.format("run-%02d", i), status, queued,
        "running".equals(status) ? 0 : queued + 5 * SECOND, 1);
  }

  private static String knownStatus(int i) {
    return List.of("completed", "failed", "running").get(i % 3);
  }

  private record Call(long startNanos, long endNanos, String replica, String error) {}

  private static Call call(RunHistoryService service, int i) {
    long start = System.nanoTime();
    try {
      String replica = check(service, i);
      return new Call(start, System.nanoTime(), replica, null);
    } catch (Exception | AssertionError e) {
      return new Call(start, System.nanoTime(), null, "call " + i + ": " + e.getMessage());
    }
  }

  /** Call {@code i} (a page, a run by id or the stats, in turn), checked against the known runs; the replica that served it. */
  private static String check(RunHistoryService service, int i) throws Exception {
    JsonNode body;
    switch (i % 3) {
      case 0 -> {
        body = get(service, "/v1/runs?tenant=acme&limit=" + PAGE);
        List<String> expected = new ArrayList<>();
        for (int r = RUNS - 1; r >= RUNS - PAGE; r--) expected.add(String.format("run-%02d", r));
        assertThat(runIds(body)).isEqualTo(expected);
        assertThat(body.get("has_more").asBoolean()).isTrue();
      }
      case 1 -> {
        int r = i % RUNS;
        body = get(service, String.format("/v1/runs/run-%02d?tenant=acme&environment=prod", r));
        assertThat(body.get("run").get("run_id").asText()).isEqualTo(String.format("run-%02d", r));
        assertThat(body.get("run").get("status").asText()).isEqualTo(knownStatus(r));
      }
      default -> {
        body = get(service, "/v1/stats?tenant=acme");
        assertThat(body.get("runs").asLong()).isEqualTo(45);
        assertThat(body.get("by_status").get("completed").asLong()).isEqualTo(30);
        assertThat(body.get("by_status").get("failed").asLong()).isEqualTo(15);
      }
    }
    JsonNode freshness = body.get("freshness");
    assertThat(freshness.get("replica_delay_s").isIntegralNumber()).as(freshness.toString()).isTrue();
    return freshness.get("replica").asText();
  }

  private static JsonNode get(RunHistoryService service, String pathAndQuery) throws Exception {
    java.util.regex.Matcher tenant = java.util.regex.Pattern.compile("[?&]tenant=([a-z]+)").matcher(pathAndQuery);
    HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + service.port() + pathAndQuery)).timeout(Duration.ofSeconds(30))
            .header("Authorization", RunHistoryServiceIT.KEYS.bearer(tenant.find() ? tenant.group(1) : "acme")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) throw new AssertionError(pathAndQuery + " answered " + response.statusCode()
        + " " + response.body());
    return JSON.readTree(response.body());
  }

  private static void awaitCalls(ConcurrentLinkedQueue<Call> calls, java.util.function.Predicate<Call> which, int count,
      String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (calls.stream().filter(which).count() < count && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(calls.stream().filter(which).count()).as(what).isGreaterThanOrEqualTo(count);
  }

  private static List<String> runIds(JsonNode body) {
    List<String> ids = new ArrayList<>();
    body.get("runs").forEach(r -> ids.add(r.get("run_id").asText()));
    return ids;
  }

  /** A series' value for one reader from the Prometheus text. */
  private static double metric(String scrape, String name, String reader) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{reader=\"" + Pattern.quote(reader) + "\"} (\\S+)$")
        .matcher(scrape);
    assertThat(m.find()).as(name + " for " + reader + " in\n" + scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
