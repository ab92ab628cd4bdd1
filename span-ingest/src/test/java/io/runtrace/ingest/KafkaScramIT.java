package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import io.runtrace.localstack.StackCredentials;
import io.runtrace.model.KafkaCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The exporter and the receiver on the brokers' SASL_PLAINTEXT (SCRAM) listener: right, wrong and fixed credentials. */
@ExtendWith(LocalStackExtension.class)
class KafkaScramIT {
  private static final String TOPIC = "runtrace.spans.scram-it";
  private static final String AUTH_FAILURES = "runtrace_auth_failures_total{component=\"span-ingest\",credential=\"kafka\"}";
  private final SecureRandom random = new SecureRandom();
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void createTopic(LocalStack stack) throws Exception {
    SpansTopic.create(stack.kafkaBootstrapServers(), TOPIC);
  }

  private static KafkaCredentials scram(String user, String password) {
    return KafkaCredentials.scram("SASL_PLAINTEXT", StackCredentials.KAFKA_SASL_MECHANISM, user, password);
  }

  private OtlpHttpReceiver receiver(LocalStack stack, KafkaCredentials credentials) {
    return OtlpHttpReceiver.builder().bootstrapServers(stack.kafkaSaslBootstrapServers()).topic(TOPIC).kafkaCredentials(credentials)
        .host("127.0.0.1").port(0).build().start();
  }

  private int post(OtlpHttpReceiver receiver, int trace) throws Exception {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addAllResourceSpans(SpanDataToOtlp.toResourceSpans(
        List.of(TestSpans.span(trace, 1, "scram", Attributes.empty())), (s, e) -> { throw e; })).build();
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpResponse<String> get(OtlpHttpReceiver receiver, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Polls {@code /ready} every 200 ms for up to 60 s until it answers {@code status} with a body
   * starting with {@code prefix} (the first sends may see "Kafka is unreachable" before the refusal).
   */
  private HttpResponse<String> awaitReady(OtlpHttpReceiver receiver, int status, String prefix) throws Exception {
    HttpResponse<String> ready = get(receiver, "/ready");
    for (int i = 0; i < 300 && (ready.statusCode() != status || !ready.body().startsWith(prefix)); i++) {
      Thread.sleep(200);
      ready = get(receiver, "/ready");
    }
    assertThat(ready.statusCode()).as("/ready: " + ready.body()).isEqualTo(status);
    assertThat(ready.body()).startsWith(prefix);
    return ready;
  }

  private static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static String droppedAuth() {
    return "runtrace_ingest_spans_dropped_total{reason=\"auth\",topic=\"" + TOPIC + "\"}";
  }

  @Test
  void theExporterAndTheReceiverWithTheRightScramCredentialsDeliver(LocalStack stack) throws Exception {
    KafkaCredentials credentials = scram(StackCredentials.KAFKA_SASL_USER, StackCredentials.KAFKA_SASL_PASSWORD);
    String exported;
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(stack.kafkaSaslBootstrapServers()).topic(TOPIC)
        .kafkaCredentials(credentials).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      Span span = provider.get("scram-it").spanBuilder("exported").startSpan();
      span.end();
      exported = span.getSpanContext().getTraceId();
      assertThat(exporter.flush().join(30, TimeUnit.SECONDS).isSuccess()).as("Kafka acknowledged the exporter's span").isTrue();
    }

    int trace = random.nextInt(1 << 29);
    try (OtlpHttpReceiver receiver = receiver(stack, credentials)) {
      assertThat(post(receiver, trace)).isEqualTo(200);
      SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(exported, TestSpans.traceId(trace)), 2);
      assertThat(awaitReady(receiver, 200, "ready").body()).isEqualTo("ready\n");
      String metrics = get(receiver, "/metrics").body();
      assertThat(value(metrics, AUTH_FAILURES)).isEqualTo(0.0);
      assertThat(value(metrics, droppedAuth())).isEqualTo(0.0);
    }
  }

  @Test
  void aWrongPasswordTurnsReadinessTo503NamingTheCredentialCountsItAndDropsTheSpans(LocalStack stack) throws Exception {
    KafkaCredentials wrong = scram(StackCredentials.KAFKA_SASL_USER, "not-" + StackCredentials.KAFKA_SASL_PASSWORD);
    int trace = random.nextInt(1 << 29);
    try (OtlpHttpReceiver receiver = receiver(stack, wrong)) {
      assertThat(post(receiver, trace)).isEqualTo(200);
      String body = awaitReady(receiver, 503, "not ready: Kafka at ").body();
      assertThat(body).startsWith("not ready: Kafka at " + stack.kafkaSaslBootstrapServers() + " refused the login of credential "
          + "SASL_PLAINTEXT SCRAM-SHA-512 as " + StackCredentials.KAFKA_SASL_USER + ": SaslAuthenticationException: ");
      assertThat(body).doesNotContain(StackCredentials.KAFKA_SASL_PASSWORD);
      String metrics = get(receiver, "/metrics").body();
      assertThat(value(metrics, AUTH_FAILURES)).isGreaterThan(0);
      assertThat(value(metrics, droppedAuth())).isEqualTo(1.0);
      assertThat(value(metrics, "runtrace_ingest_spans_sent_total{topic=\"" + TOPIC + "\"}")).isEqualTo(0.0);
    }

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(stack.kafkaSaslBootstrapServers()).topic(TOPIC)
        .kafkaCredentials(wrong).meterRegistry(registry).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      provider.get("scram-it").spanBuilder("refused").startSpan().end();
      assertThat(exporter.flush().join(30, TimeUnit.SECONDS).isSuccess()).as("nothing is left held").isTrue();
    }
    assertThat(Search.in(registry).name("runtrace.auth.failures").tags("component", "span-ingest", "credential", "kafka")
        .counter().count()).isGreaterThan(0);
    assertThat(value(registry.scrape(), droppedAuth())).as("the exporter's span, counted in the shared producer's drops")
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void readinessRecoversOnceKafkaAcceptsTheCredentials(LocalStack stack) throws Exception {
    String user = "it-" + UUID.randomUUID();
    String password = "pw-" + UUID.randomUUID();
    int trace = random.nextInt(1 << 29);
    try (OtlpHttpReceiver receiver = receiver(stack, scram(user, password))) {
      assertThat(post(receiver, trace)).isEqualTo(200);
      assertThat(awaitReady(receiver, 503, "not ready: Kafka at ").body()).contains("as " + user + ": ");

      try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
      }
      // Readiness only learns from sends, so keep sending (new traces) until one is acknowledged.
      HttpResponse<String> ready = get(receiver, "/ready");
      for (int i = 1; i <= 120 && ready.statusCode() != 200; i++) {
        assertThat(post(receiver, trace + i)).isEqualTo(200);
        Thread.sleep(500);
        ready = get(receiver, "/ready");
      }
      assertThat(ready.statusCode()).as("/ready once the user exists: " + ready.body()).isEqualTo(200);
      int after = trace + 1000;
      assertThat(post(receiver, after)).isEqualTo(200);
      SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(TestSpans.traceId(after)), 1);
    }
  }
}
