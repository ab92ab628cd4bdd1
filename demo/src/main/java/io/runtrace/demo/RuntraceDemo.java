package io.runtrace.demo;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.runtrace.ingest.KafkaSpanExporter;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalPrometheus;
import io.runtrace.localstack.LocalStack;
import io.runtrace.query.auth.ApiKeyFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Runs the whole pipeline locally with demo traffic: the local stack, the schema, the three
 * services, Prometheus scraping them with the alert rules loaded, and runs emitted through the
 * OpenTelemetry SDK on every ingest path (our Kafka exporter, and the SDK's OTLP/HTTP and
 * OTLP/gRPC exporters into our receivers). Ctrl-C stops everything.
 * {@code RUNTRACE_CLICKHOUSE_ENGINE}: {@code 18.16} (default, a writer and a reader replica) or
 * {@code 26.7} (one server that is writer and reader). Writes a new key file,
 * {@code .runtrace/api-keys.json}, with one API key per demo tenant, and prints the keys.
 */
public final class RuntraceDemo {
  private RuntraceDemo() {}

  public static void main(String[] args) throws Exception {
    int apiPort = intProperty("runtrace.demo.apiPort", 8080);
    int otlpPort = intProperty("runtrace.demo.otlpPort", 4318);
    int otlpGrpcPort = intProperty("runtrace.demo.otlpGrpcPort", 4317);
    int processorPort = intProperty("runtrace.demo.processorPort", 9464);
    int prometheusPort = intProperty("runtrace.demo.prometheusPort", 9090);
    Path rulesFile = Path.of(System.getProperty("runtrace.demo.rulesFile", "dashboards/alerts/runtrace.rules.yaml"))
        .toAbsolutePath();
    long periodMs = intProperty("runtrace.demo.runPeriodMs", 250);
    Path work = Path.of(System.getProperty("runtrace.demo.workDir", ".runtrace")).toAbsolutePath();
    ClickHouseEngine engine = ClickHouseEngine.parse(
        System.getenv().getOrDefault("RUNTRACE_CLICKHOUSE_ENGINE", "18.16"), "RUNTRACE_CLICKHOUSE_ENGINE");
    long started = System.nanoTime();

    LocalStack stack = LocalStack.builder().workDir(work.resolve("stack")).clickHouseEngines(engine).build();
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "stack-stop"));
    System.out.println("runtrace: starting Kafka, " + (engine.replicated()
        ? "ZooKeeper and two ClickHouse " + engine.label() + " servers (writer and reader replica)"
        : "one ClickHouse " + engine.label() + " server (writer and reader)") + " under " + work);
    stack.start();
    // A new key file each start, like the rest of the demo's state; bin/runtrace-keys adds to it.
    Path keyFile = work.resolve(ApiKeyFiles.DEFAULT_FILE.getFileName());
    ApiKeyFiles.reset(keyFile);
    Map<String, String> keys = new LinkedHashMap<>();
    for (String tenant : DemoTraffic.TENANTS) {
      keys.put(tenant, ApiKeyFiles.create(keyFile, tenant, List.of(), Clock.systemUTC()).key());
    }
    // The stream processor's state of an earlier run belongs to topics the wiped stack no longer has.
    deleteRecursively(work.resolve("streams"));
    LocalPipeline pipeline = new LocalPipeline(stack, stack.clickHouse(engine), "runtrace",
        LocalPipeline.Topics.withSuffix(""), new LocalPipeline.Options(otlpPort, otlpGrpcPort, apiPort, processorPort),
        work.resolve("streams"), keyFile);
    LocalPrometheus.Builder prometheusBuilder = LocalPrometheus.builder().workDir(stack.workDir()).port(prometheusPort);
    pipeline.scrapeTargets().forEach((job, target) -> prometheusBuilder.scrapeJob(job, target));
    if (Files.isRegularFile(rulesFile)) {
      prometheusBuilder.ruleFiles(List.of(rulesFile));
    } else {
      System.err.println("runtrace: no alert rules at " + rulesFile + "; Prometheus starts without them");
    }
    LocalPrometheus prometheus;
    try {
      prometheus = prometheusBuilder.build().start();
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
    SdkTracerProvider viaKafka = tracerProvider(KafkaSpanExporter.builder()
        .bootstrapServers(stack.kafkaBootstrapServers()).topic(pipeline.topics.spans()).build(), "executor");
    SdkTracerProvider viaOtlp = tracerProvider(OtlpHttpSpanExporter.builder()
        .setEndpoint(pipeline.otlpAddress()).build(), "event-api");
    SdkTracerProvider viaGrpc = tracerProvider(OtlpGrpcSpanExporter.builder()
        .setEndpoint(pipeline.otlpGrpcAddress()).build(), "scheduler");
    List<Tracer> tracers = List.of(viaKafka.get("runtrace-demo"), viaOtlp.get("runtrace-demo"),
        viaGrpc.get("runtrace-demo"));
    DemoTraffic traffic = new DemoTraffic(tracers, System.nanoTime()).start(periodMs);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      traffic.close();
      viaKafka.shutdown();
      viaOtlp.shutdown();
      viaGrpc.shutdown();
      prometheus.close();
      pipeline.close();
      stack.close();
      stopped.countDown();
    }, "demo-stop"));

    String key = keys.get(DemoTraffic.TENANTS.get(0));
    String example = "curl -s -H 'Authorization: Bearer " + key + "' '" + pipeline.apiAddress() + "/v1/runs?limit=2'";
    String body = firstRuns(pipeline.apiAddress() + "/v1/runs?limit=2", key, Duration.ofSeconds(60));
    System.out.printf("%nruntrace is up after %.1f s.%n", (System.nanoTime() - started) / 1e9);
    System.out.println("  query API (reader replica):  " + pipeline.apiAddress());
    System.out.println("  OTLP/HTTP receiver:          " + pipeline.otlpAddress());
    System.out.println("  OTLP/gRPC receiver:          " + pipeline.otlpGrpcTarget());
    System.out.println("  Kafka:                       " + stack.kafkaBootstrapServers());
    System.out.println("  ClickHouse writer / reader:  " + pipeline.clickHouse.writerUrl() + " / "
        + pipeline.clickHouse.readerUrl());
    System.out.println("  Prometheus:                  " + prometheus.url());
    System.out.println("  stream processor /metrics:   http://127.0.0.1:" + pipeline.processor.httpPort() + "/metrics");
    System.out.println();
    keys.forEach((tenant, k) -> System.out.println("API key for tenant " + tenant + ": " + k));
    System.out.println("(in " + keyFile + "; more with bin/runtrace-keys create --tenant <tenant>)");
    System.out.println("\nTry:\n  " + example + "\nwhich just returned:\n  " + body);
    System.out.println("\nA run's span tree: curl -s -H 'Authorization: Bearer " + key + "' "
        + pipeline.apiAddress() + "/v1/runs/<run_id>/trace");
    System.out.println("Traces for Grafana's Jaeger data source: curl -s -H 'Authorization: Bearer " + key + "' '"
        + pipeline.apiAddress() + "/api/traces?service=executor&limit=1'");
    Path grafanaEnv = GrafanaEnv.write(work.resolve("grafana.env"), pipeline.clickHouse.readerUrl(), key,
        Path.of("dashboards"));
    System.out.println("Grafana: provision it from dashboards/provisioning with the settings in " + grafanaEnv
        + " (dashboards/README.md)");
    System.out.println("Demo traffic: a new run every " + periodMs + " ms. Ctrl-C stops everything.");
    stopped.await();
  }

  private static SdkTracerProvider tracerProvider(SpanExporter exporter, String service) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
            .put("service.name", service).build())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(200)).build())
        .build();
  }

  /** Polls the API until it lists a run, so the printed example shows real output. */
  private static String firstRuns(String url, String key, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
              .header("Authorization", "Bearer " + key).build(),
          HttpResponse.BodyHandlers.ofString());
      last = response.body();
      if (response.statusCode() == 200 && last.contains("\"run_id\"")) return last;
      Thread.sleep(500);
    }
    return "(no runs yet after " + timeout.toSeconds() + " s; last answer: " + last + ")";
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private static int intProperty(String name, int defaultValue) {
    String value = System.getProperty(name);
    if (value == null) return defaultValue;
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'");
    }
  }
}
