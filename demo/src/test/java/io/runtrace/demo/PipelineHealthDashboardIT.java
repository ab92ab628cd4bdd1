package io.runtrace.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.runtrace.ingest.KafkaSpanExporter;
import io.runtrace.localstack.LocalPrometheus;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import io.runtrace.query.auth.ApiKeyFiles;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every Prometheus expression of {@code dashboards/pipeline-health.json} returns series when the
 * real Prometheus scrapes the running services, after a workload that exercises every ingest path
 * (Kafka exporter, OTLP/HTTP, OTLP/gRPC), a record the processor dead-letters, requests the API
 * refuses (401, 429) and inserts ClickHouse refuses while a table is detached. One engine: the
 * stack's first (18.16 unless {@code runtrace.clickhouse} narrows it to 26.7); the panels read
 * Prometheus, not ClickHouse.
 *
 * <p>Expressions that return series only because the service registers the counter at zero at
 * start: dropped spans by reason, trimmed, producer recoveries, throttled ingest requests, dead
 * letters by reason, API throttled by reason, API rejected (503 queue full), auth failures. The
 * workload makes the others non-empty (insert failures by detaching {@code spans}, 429 by a burst).
 */
@ExtendWith(LocalStackExtension.class)
class PipelineHealthDashboardIT {
  static final Path DASHBOARD = Path.of("..", "dashboards", "pipeline-health.json");
  static final Path RULES = Path.of("..", "dashboards", "alerts", "runtrace.rules.yaml");
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Set<String> JOBS = Set.of("span-ingest", "stream-processor", "query-api");
  static LocalPipeline pipeline;
  static LocalPrometheus prometheus;
  static String key;

  @BeforeAll
  static void start(LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Path keys = Files.createTempDirectory("health-keys").resolve("api-keys.json");
    key = ApiKeyFiles.create(keys, DemoTraffic.TENANTS.get(0), List.of(), Clock.systemUTC()).key();
    pipeline = new LocalPipeline(stack, stack.clickHouse(), "health_" + suffix,
        LocalPipeline.Topics.withSuffix("." + suffix), LocalPipeline.Options.allOnFreePorts(),
        Files.createTempDirectory("health-streams"), keys);
    LocalPrometheus.Builder builder = LocalPrometheus.builder().workDir(stack.workDir())
        .scrapeInterval(Duration.ofSeconds(1));
    pipeline.scrapeTargets().forEach((job, target) -> builder.scrapeJob(job, target));
    if (Files.isRegularFile(RULES)) builder.ruleFiles(List.of(RULES));
    prometheus = builder.build().start();
    workload();
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) prometheus.close();
    if (pipeline != null) pipeline.close();
  }

  @Test
  void theThreeServicesAreScrapedAndUp() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Map<String, String> health = new LinkedHashMap<>();
    while (System.nanoTime() < deadline) {
      health.clear();
      for (JsonNode target : get("/api/v1/targets").path("data").path("activeTargets")) {
        health.put(target.path("labels").path("job").asText(), target.path("health").asText());
      }
      if (health.size() == 3 && health.values().stream().allMatch("up"::equals)) break;
      Thread.sleep(500);
    }
    assertThat(health).containsOnlyKeys(JOBS).allSatisfy((job, h) -> assertThat(h).as(job).isEqualTo("up"));
  }

  @Test
  void prometheusLoadedEveryRuleGroupOfTheRulesFile() throws Exception {
    assertThat(RULES).as("the alert rules the demo and this test load").isRegularFile();
    Set<String> expected = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\s*-\\s*name:\\s*['\"]?([^'\"\\s]+)").matcher(Files.readString(RULES));
    while (m.find()) expected.add(m.group(1));
    Set<String> loaded = new TreeSet<>();
    for (JsonNode group : get("/api/v1/rules").path("data").path("groups")) loaded.add(group.path("name").asText());
    assertThat(expected).isNotEmpty();
    assertThat(loaded).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theDashboardIsOverTheRuntracePrometheusDataSourceWithTheAgreedRows() throws Exception {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("runtrace-pipeline-health");
    assertThat(dashboard.path("title").asText()).isEqualTo("runtrace — pipeline health");
    List<String> rows = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        rows.add(panel.path("title").asText());
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("runtrace-prometheus");
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
    }
    assertThat(rows).containsExactly("Ingest", "Streams", "Dead letters", "Sink", "ClickHouse retention", "Readers",
        "Query API", "Freshness", "Auth failures");
  }

  @Test
  void everyPanelExpressionReturnsSeries() throws Exception {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Map<String, String> expressions = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        expressions.put(panel.path("title").asText() + " / " + target.path("refId").asText(),
            grafanaVariables(target.path("expr").asText()));
      }
    }
    assertThat(expressions).hasSizeGreaterThan(20);
    Map<String, String> empty = new LinkedHashMap<>(expressions);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!empty.isEmpty() && System.nanoTime() < deadline) {
      for (var e : List.copyOf(empty.entrySet())) {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        assertThat(answer.path("status").asText()).as(e.getKey() + ": " + e.getValue() + " -> " + answer).isEqualTo("success");
        if (!answer.path("data").path("result").isEmpty()) empty.remove(e.getKey());
      }
      if (!empty.isEmpty()) Thread.sleep(1000);
    }
    assertThat(empty).as("panel expressions that returned no series").isEmpty();
  }

  /** As Grafana substitutes them for a 1-hour dashboard scraped every second. */
  static String grafanaVariables(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$__range", "1h");
  }

  private static void workload() throws Exception {
    // Every ingest path carries runs; the gRPC export must succeed for the test to go on.
    SdkTracerProvider kafka = provider(KafkaSpanExporter.builder().bootstrapServers(pipeline.stack.kafkaBootstrapServers())
        .topic(pipeline.topics.spans()).build());
    SdkTracerProvider http = provider(OtlpHttpSpanExporter.builder().setEndpoint(pipeline.otlpAddress()).build());
    SdkTracerProvider grpc = provider(OtlpGrpcSpanExporter.builder().setEndpoint(pipeline.otlpGrpcAddress()).build());
    List<Tracer> tracers = List.of(kafka.get("health"), http.get("health"), grpc.get("health"));
    try (DemoTraffic traffic = new DemoTraffic(tracers, 11).start(100)) {
      Thread.sleep(3000);
    }
    for (SdkTracerProvider p : List.of(kafka, http, grpc)) {
      assertThat(p.forceFlush().join(15, TimeUnit.SECONDS).isSuccess()).isTrue();
    }
    // A record that is no OTLP at all: the processor dead-letters it.
    Properties props = new Properties();
    props.put("bootstrap.servers", pipeline.stack.kafkaBootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(pipeline.topics.spans(), "not-a-trace".getBytes(StandardCharsets.UTF_8),
          "not OTLP".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
    }
    awaitProcessorMetric("runtrace_stream_dead_letters_total{reason=\"undecodable\"} 1.0");
    // Inserts fail while the spans table is detached, and are retried once it is back.
    awaitProcessorMetric("runtrace_sink_inserts_total{table=\"spans\"}");
    pipeline.writer.execute("DETACH TABLE spans");
    try {
      SdkTracerProvider late = provider(KafkaSpanExporter.builder().bootstrapServers(pipeline.stack.kafkaBootstrapServers())
          .topic(pipeline.topics.spans()).build());
      try (DemoTraffic traffic = new DemoTraffic(List.of(late.get("health")), 12).start(100)) {
        awaitProcessorMetric("runtrace_sink_insert_failures_total{table=\"spans\"}");
      }
      late.shutdown().join(15, TimeUnit.SECONDS);
    } finally {
      pipeline.writer.execute("ATTACH TABLE spans");
    }
    // API traffic: answered, refused without a key (an auth failure), and a burst past the tenant's limits (429).
    String runs = pipeline.apiAddress() + "/v1/runs?limit=1";
    assertThat(api(runs, key).statusCode()).isEqualTo(200);
    assertThat(api(runs, null).statusCode()).isEqualTo(401);
    List<CompletableFuture<HttpResponse<Void>>> burst = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      burst.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(runs)).header("Authorization", "Bearer " + key).build(),
          HttpResponse.BodyHandlers.discarding()));
    }
    long throttled = burst.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 429).count();
    assertThat(throttled).as("429s in a burst of 120 requests").isPositive();
    for (SdkTracerProvider p : List.of(kafka, http, grpc)) p.shutdown().join(15, TimeUnit.SECONDS);
  }

  private static SdkTracerProvider provider(SpanExporter exporter) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder().put("service.name", "health").build())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(100)).build())
        .build();
  }

  private static void awaitProcessorMetric(String line) throws Exception {
    String url = "http://127.0.0.1:" + pipeline.processor.httpPort() + "/metrics";
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body()
          .contains(line)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(url + " never showed " + line);
  }

  private static HttpResponse<String> api(String url, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String path) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }
}
