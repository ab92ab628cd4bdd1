package io.runtrace.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.runtrace.ingest.KafkaSpanExporter;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.model.RunAttributes;
import io.runtrace.query.auth.ApiKeyFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Spans emitted with the official OpenTelemetry SDK become runs, with the right status and
 * span tree, in the query API, which reads the reader replica (the one server on 26.7). Both
 * ingest paths: our Kafka exporter, and the SDK's OTLP/HTTP exporter into our receiver.
 */
@ForEachClickHouseEngine
class EndToEndIT {
  // Declares the engine argument, which only the per-engine set-up uses.
  @Parameter ClickHouseEngine engine;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static LocalPipeline pipeline;
  static String acmeKey;

  @BeforeParameterizedClassInvocation
  static void start(ClickHouseEngine engine, LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Path keys = Files.createTempDirectory("e2e-keys").resolve("api-keys.json");
    acmeKey = ApiKeyFiles.create(keys, "acme", List.of(), Clock.systemUTC()).key();
    pipeline = new LocalPipeline(stack, stack.clickHouse(engine), "e2e_" + suffix,
        LocalPipeline.Topics.withSuffix("." + suffix), 0, 0, Files.createTempDirectory("e2e-streams"), keys);
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    if (pipeline != null) pipeline.close();
  }

  @Test
  void spansThroughKafkaSpanExporterBecomeRuns() throws Exception {
    SpanExporter exporter = KafkaSpanExporter.builder()
        .bootstrapServers(pipeline.stack.kafkaBootstrapServers()).topic(pipeline.topics.spans()).build();
    assertRunsArrive(exporter);
  }

  @Test
  void spansThroughTheSdksOtlpHttpExporterIntoOurReceiverBecomeRuns() throws Exception {
    SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(pipeline.otlpAddress()).build();
    assertRunsArrive(exporter);
  }

  @Test
  void aRunWhoseTenantArrivesLateIsListedOnceUnderItAndCountedInItsStats() throws Exception {
    String runId = "run_" + UUID.randomUUID();
    String tenant = "late-" + UUID.randomUUID().toString().substring(0, 8);
    // The service picks the new key up at its next poll of the key file; awaitJson retries until then.
    String key = ApiKeyFiles.create(pipeline.apiKeyFile, tenant, List.of(), Clock.systemUTC()).key();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "executor")))
        .addSpanProcessor(BatchSpanProcessor.builder(KafkaSpanExporter.builder()
            .bootstrapServers(pipeline.stack.kafkaBootstrapServers()).topic(pipeline.topics.spans()).build())
            .setScheduleDelay(Duration.ofMillis(100)).build())
        .build();
    try {
      Tracer tracer = provider.get("e2e");
      Instant t0 = Instant.now().minusSeconds(5);
      long base = t0.getEpochSecond() * 1_000_000_000L + t0.getNano();
      // The run span carries the tenant, and ends (is exported) last: its step arrives without one.
      Span run = tracer.spanBuilder("run charge-card").setNoParent().setStartTimestamp(base, TimeUnit.NANOSECONDS)
          .setAttribute(RunAttributes.RUN_ID, runId).startSpan();
      step(tracer, Context.root().with(run), runId, 1, base + 100_000_000L).end(base + 200_000_000L, TimeUnit.NANOSECONDS);
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      // Until its tenant arrives, the run belongs to no key: it is on the reader, under no tenant.
      awaitReader("SELECT count() AS n FROM run_list FINAL WHERE tenant = '' AND run_id = '" + runId
          + "' AND span_count = 1 AND deleted = 0");
      // 401 until the service's next poll of the key file, then 404: no key sees a run without a tenant.
      long keyDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int status;
      while ((status = http(key, "/v1/runs/" + runId).statusCode()) == 401 && System.nanoTime() < keyDeadline) {
        Thread.sleep(100);
      }
      assertThat(status).isEqualTo(404);

      run.setAttribute(RunAttributes.TENANT, tenant).setAttribute(RunAttributes.ENVIRONMENT, "production")
          .setAttribute(RunAttributes.APP, "billing").setAttribute(RunAttributes.FUNCTION, "charge-card")
          .setAttribute(RunAttributes.RUN_STATUS, "completed");
      run.end(base + 300_000_000L, TimeUnit.NANOSECONDS);
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    assertThat(ids(awaitJson(key, "/v1/runs?tenant=" + tenant, l -> ids(l).contains(runId)))).containsExactly(runId);
    assertThat(awaitJson(key, "/v1/runs/" + runId, r -> r.path("run").path("span_count").asInt() == 2).get("run")
        .get("tenant").asText()).isEqualTo(tenant);
    assertThat(ids(awaitJson(key, "/v1/runs?limit=1000", l -> ids(l).contains(runId)))).containsOnlyOnce(runId);
    assertThat(http(acmeKey, "/v1/runs/" + runId).statusCode()).as("another tenant's run").isEqualTo(404);
    JsonNode stats = awaitJson(key, "/v1/stats?tenant=" + tenant, st -> st.path("runs").asLong() == 1
        && st.path("by_status").path("completed").asLong() == 1);
    assertThat(stats.get("functions").get(0).get("function").asText()).isEqualTo("charge-card");
    assertThat(stats.get("failure_rate").asDouble()).isEqualTo(0.0);
  }

  private void assertRunsArrive(SpanExporter exporter) throws Exception {
    String completedRun = "run_" + UUID.randomUUID();
    String failedRun = "run_" + UUID.randomUUID();
    Instant t0 = Instant.now().minusSeconds(5);
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "executor")))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(100)).build())
        .build();
    try {
      Tracer tracer = provider.get("e2e");
      emitRun(tracer, completedRun, t0, false);
      emitRun(tracer, failedRun, t0.plusSeconds(1), true);
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    JsonNode run = awaitJson("/v1/runs/" + completedRun, r -> r.path("run").path("span_count").asInt() == 5
        || r.path("span_count").asInt() == 5);
    JsonNode completed = run.has("run") ? run.get("run") : run;
    assertThat(completed.get("status").asText()).isEqualTo("completed");
    assertThat(completed.get("tenant").asText()).isEqualTo("acme");
    assertThat(completed.get("function").asText()).isEqualTo("charge-card");
    assertThat(completed.get("attempts").asInt()).isEqualTo(2);
    assertThat(completed.get("error").isNull()).isTrue();
    assertThat(Instant.parse(completed.get("queued_at").asText())).isEqualTo(t0);
    assertThat(Instant.parse(completed.get("started_at").asText())).isEqualTo(t0.plusMillis(100));
    assertThat(Instant.parse(completed.get("ended_at").asText())).isEqualTo(t0.plusMillis(600));

    JsonNode trace = awaitJson("/v1/runs/" + completedRun + "/trace", t -> count(t.get("spans")) == 5);
    assertThat(names(trace.get("spans"))).containsExactly("run charge-card");
    JsonNode runSpan = trace.get("spans").get(0);
    assertThat(names(runSpan.get("children"))).containsExactly("queued", "step reserve", "step reserve");
    JsonNode retry = runSpan.get("children").get(2);
    assertThat(retry.get("attributes").get(RunAttributes.ATTEMPT).asText()).isEqualTo("2");
    assertThat(names(retry.get("children"))).containsExactly("POST /charges");
    assertThat(runSpan.get("children").get(1).get("status_code").asText()).isEqualTo("error");

    assertJaegerServesTheTrace(completed.get("trace_id").asText(), t0);

    JsonNode failedBody = awaitJson("/v1/runs/" + failedRun, r -> "failed".equals(
        (r.has("run") ? r.get("run") : r).path("status").asText()));
    JsonNode failed = failedBody.has("run") ? failedBody.get("run") : failedBody;
    assertThat(failed.get("error").asText()).isEqualTo("card declined");

    JsonNode list = awaitJson("/v1/runs?tenant=acme&limit=1000", l -> ids(l).contains(completedRun)
        && ids(l).contains(failedRun));
    List<String> ids = ids(list);
    assertThat(ids.indexOf(failedRun)).as("newest first").isLessThan(ids.indexOf(completedRun));
  }

  /** The Jaeger query API that Grafana's trace view reads gives the same trace, in microseconds. */
  private static void assertJaegerServesTheTrace(String traceId, Instant t0) throws Exception {
    long t0Micros = t0.getEpochSecond() * 1_000_000L + t0.getNano() / 1_000;
    JsonNode byId = awaitJson("/api/traces/" + traceId, t -> count(t.path("data").path(0).path("spans")) == 5);
    JsonNode trace = byId.get("data").get(0);
    assertThat(trace.get("traceID").asText()).isEqualTo(traceId);
    JsonNode runSpan = null;
    JsonNode call = null;
    JsonNode retry = null;
    for (JsonNode span : trace.get("spans")) {
      switch (span.get("operationName").asText()) {
        case "run charge-card" -> runSpan = span;
        case "POST /charges" -> call = span;
        default -> { }
      }
    }
    assertThat(runSpan).isNotNull();
    assertThat(call).isNotNull();
    assertThat(runSpan.get("startTime").asLong()).isEqualTo(t0Micros + 100_000);
    assertThat(runSpan.get("duration").asLong()).isEqualTo(500_000);
    assertThat(runSpan.get("references")).isEmpty();
    String parent = call.get("references").get(0).get("spanID").asText();
    assertThat(call.get("references").get(0).get("refType").asText()).isEqualTo("CHILD_OF");
    for (JsonNode span : trace.get("spans")) if (span.get("spanID").asText().equals(parent)) retry = span;
    assertThat(retry).as("the call's parent is in the trace").isNotNull();
    assertThat(retry.get("operationName").asText()).isEqualTo("step reserve");
    assertThat(trace.get("processes").get(runSpan.get("processID").asText()).get("serviceName").asText())
        .isEqualTo("executor");

    assertThat(awaitJson("/api/services", l -> l.get("data").toString().contains("\"executor\"")).get("data")
        .toString()).contains("\"executor\"");
    String search = "/api/traces?service=executor&operation=" + "run%20charge-card" + "&limit=100&start="
        + (t0Micros - 60_000_000L) + "&end=" + (t0Micros + 60_000_000L);
    JsonNode found = awaitJson(search, l -> l.get("data").toString().contains(traceId));
    List<String> traceIds = new ArrayList<>();
    found.get("data").forEach(t -> traceIds.add(t.get("traceID").asText()));
    assertThat(traceIds).containsOnlyOnce(traceId);
  }

  /** A run with a queued marker, a step that fails once and succeeds on retry, and a nested call. */
  private static void emitRun(Tracer tracer, String runId, Instant t0, boolean fail) {
    long base = t0.getEpochSecond() * 1_000_000_000L + t0.getNano();
    long ms = 1_000_000L;
    Span run = tracer.spanBuilder("run charge-card").setNoParent().setStartTimestamp(base + 100 * ms, TimeUnit.NANOSECONDS)
        .setAttribute(RunAttributes.RUN_ID, runId).setAttribute(RunAttributes.TENANT, "acme")
        .setAttribute(RunAttributes.ENVIRONMENT, "production").setAttribute(RunAttributes.APP, "billing")
        .setAttribute(RunAttributes.FUNCTION, "charge-card").startSpan();
    Context ctx = Context.root().with(run);
    // The queued marker belongs to the run's trace, so it is a child of the run span.
    tracer.spanBuilder("queued").setParent(ctx).setStartTimestamp(base, TimeUnit.NANOSECONDS)
        .setAttribute(RunAttributes.RUN_ID, runId).setAttribute(RunAttributes.RUN_STATUS, "queued")
        .startSpan().end(base, TimeUnit.NANOSECONDS);
    Span first = step(tracer, ctx, runId, 1, base + 200 * ms);
    first.setStatus(StatusCode.ERROR, "gateway timeout");
    first.end(base + 300 * ms, TimeUnit.NANOSECONDS);
    Span second = step(tracer, ctx, runId, 2, base + 400 * ms);
    tracer.spanBuilder("POST /charges").setParent(Context.root().with(second))
        .setStartTimestamp(base + 420 * ms, TimeUnit.NANOSECONDS).startSpan().end(base + 480 * ms, TimeUnit.NANOSECONDS);
    if (fail) second.setStatus(StatusCode.ERROR, "card declined");
    second.end(base + 500 * ms, TimeUnit.NANOSECONDS);
    run.setAttribute(RunAttributes.RUN_STATUS, fail ? "failed" : "completed");
    run.setAttribute(AttributeKey.longKey(RunAttributes.ATTEMPT), 2L);
    run.end(base + 600 * ms, TimeUnit.NANOSECONDS);
  }

  private static Span step(Tracer tracer, Context parent, String runId, long attempt, long startNanos) {
    return tracer.spanBuilder("step reserve").setParent(parent).setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
        .setAttribute(RunAttributes.RUN_ID, runId).setAttribute(RunAttributes.STEP, "reserve")
        .setAttribute(AttributeKey.longKey(RunAttributes.ATTEMPT), attempt).startSpan();
  }

  private static JsonNode awaitJson(String path, Predicate<JsonNode> done) throws Exception {
    return awaitJson(acmeKey, path, done);
  }

  private static JsonNode awaitJson(String key, String path, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http(key, path);
      last = r.statusCode() + " " + r.body();
      if (r.statusCode() == 200) {
        JsonNode body = JSON.readTree(r.body());
        if (done.test(body)) return body;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("GET " + path + " did not reach the expected state in 60 s; last answer: " + last);
  }

  private static HttpResponse<String> http(String key, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiAddress() + path))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitReader(String countSql) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (pipeline.reader.query(countSql).get(0).get("n").asLong() >= 1) return;
      Thread.sleep(250);
    }
    throw new AssertionError(countSql + " found nothing on the reader in 60 s");
  }

  private static int count(JsonNode spans) {
    int n = 0;
    for (JsonNode s : spans) n += 1 + count(s.path("children"));
    return n;
  }

  private static List<String> names(JsonNode spans) {
    List<String> names = new ArrayList<>();
    spans.forEach(s -> names.add(s.get("name").asText()));
    return names;
  }

  private static List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.get("runs").forEach(r -> ids.add(r.get("run_id").asText()));
    return ids;
  }
}
