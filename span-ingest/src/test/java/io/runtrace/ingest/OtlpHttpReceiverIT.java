package io.runtrace.ingest;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import io.runtrace.model.RunAttributes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class OtlpHttpReceiverIT {
  private static final String TOPIC = KafkaSettings.DEFAULT_TOPIC;
  private OtlpHttpReceiver receiver;

  @BeforeAll
  static void createTopic(LocalStack stack) throws Exception {
    SpansTopic.create(stack.kafkaBootstrapServers(), TOPIC);
  }

  @BeforeEach
  void start(LocalStack stack) {
    receiver = OtlpHttpReceiver.builder().bootstrapServers(stack.kafkaBootstrapServers()).host("127.0.0.1").port(0).build().start();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  private String endpoint() {
    return "http://127.0.0.1:" + receiver.port() + "/v1/traces";
  }

  @Test
  void protobufPostedWithAPlainHttpClientLandsPerTrace(LocalStack stack) throws Exception {
    SecureRandom random = new SecureRandom();
    int a = random.nextInt(1 << 30);
    int b = a + 1;
    List<SpanData> spans = List.of(
        TestSpans.span(a, 1, "run", Attributes.of(stringKey(RunAttributes.RUN_STATUS), "running")),
        TestSpans.span(b, 2, "other", Attributes.empty()),
        TestSpans.span(a, 3, "step", Attributes.of(stringKey(RunAttributes.STEP), "charge-card")));
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addAllResourceSpans(SpanDataToOtlp.toResourceSpans(spans, (s, e) -> { throw e; })).build();

    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(endpoint())).header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);

    List<ConsumerRecord<String, byte[]>> records =
        SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(TestSpans.traceId(a), TestSpans.traceId(b)), 3);
    assertThat(records).hasSize(2);
    ConsumerRecord<String, byte[]> first = records.stream().filter(r -> r.key().equals(TestSpans.traceId(a))).findFirst().orElseThrow();
    assertThat(SpansTopic.spans(first)).extracting(io.opentelemetry.proto.trace.v1.Span::getName).containsExactly("run", "step");
    assertThat(SpansTopic.spans(first).get(1).getAttributes(0).getValue().getStringValue()).isEqualTo("charge-card");
  }

  @Test
  void theSdksOwnOtlpHttpExporterCanSendToIt(LocalStack stack) throws Exception {
    String trace;
    OtlpHttpSpanExporter otlp = OtlpHttpSpanExporter.builder().setEndpoint(endpoint()).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(otlp).build()).build()) {
      Tracer tracer = provider.get("otlp-it");
      Span run = tracer.spanBuilder("run").setAttribute(RunAttributes.RUN_STATUS, "completed").startSpan();
      try (Scope ignored = run.makeCurrent()) {
        tracer.spanBuilder("step").setAttribute("retries", 2L).startSpan().end();
      }
      run.end();
      trace = run.getSpanContext().getTraceId();
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    List<ConsumerRecord<String, byte[]>> records = SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(trace), 2);
    List<io.opentelemetry.proto.trace.v1.Span> spans =
        records.stream().flatMap(r -> SpansTopic.spans(r).stream()).collect(Collectors.toList());
    assertThat(spans).extracting(io.opentelemetry.proto.trace.v1.Span::getName).containsExactlyInAnyOrder("run", "step");
    assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(trace));
  }
}
