package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Both receivers with a bearer token against the local stack's Kafka: refused requests never reach the topic. */
@ExtendWith(LocalStackExtension.class)
class OtlpReceiversBearerTokenIT {
  private static final String TOPIC = "runtrace.spans.bearer-it";
  private static final String TOKEN = "it-" + UUID.randomUUID();
  private final SecureRandom random = new SecureRandom();
  private OtlpHttpReceiver http;
  private OtlpGrpcReceiver grpc;
  private ManagedChannel channel;

  @BeforeAll
  static void createTopic(LocalStack stack) throws Exception {
    SpansTopic.create(stack.kafkaBootstrapServers(), TOPIC);
  }

  @BeforeEach
  void start(LocalStack stack) {
    http = OtlpHttpReceiver.builder().bootstrapServers(stack.kafkaBootstrapServers()).topic(TOPIC)
        .host("127.0.0.1").port(0).bearerToken(TOKEN).build().start();
    grpc = OtlpGrpcReceiver.builder().bootstrapServers(stack.kafkaBootstrapServers()).topic(TOPIC)
        .host("127.0.0.1").port(0).meterRegistry(http.meterRegistry()).bearerToken(TOKEN).build().start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    grpc.close();
    http.close();
  }

  private static ExportTraceServiceRequest request(int trace) {
    return ExportTraceServiceRequest.newBuilder().addAllResourceSpans(SpanDataToOtlp.toResourceSpans(
        List.of(TestSpans.span(trace, 1, "refused", Attributes.empty())), (s, e) -> { throw e; })).build();
  }

  private int postHttp(int trace, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(request(trace).toByteArray()));
    if (authorization != null) b.header("Authorization", authorization);
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private Status.Code exportGrpc(int trace, String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) headers.put(BearerTokenInterceptor.AUTHORIZATION, authorization);
    TraceServiceGrpc.TraceServiceBlockingStub stub = TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.export(request(trace)));
    return e == null ? Status.Code.OK : e.getStatus().getCode();
  }

  /** Sends a run root and a step through {@code exporter}, as an SDK configured with the token would; returns the trace id. */
  private static String sendWithSdk(SpanExporter exporter) {
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build()) {
      Span run = provider.get("bearer-it").spanBuilder("run").startSpan();
      run.end();
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).as("the SDK's export succeeded").isTrue();
      return run.getSpanContext().getTraceId();
    }
  }

  @Test
  void withoutTheRightTokenNothingReachesKafkaAndWithItSpansDo(LocalStack stack) throws Exception {
    int base = random.nextInt(1 << 29);
    assertThat(postHttp(base, null)).isEqualTo(401);
    assertThat(postHttp(base + 1, "Bearer not-" + TOKEN)).isEqualTo(401);
    assertThat(exportGrpc(base + 2, null)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(exportGrpc(base + 3, "Bearer not-" + TOKEN)).isEqualTo(Status.Code.UNAUTHENTICATED);

    String viaHttp = sendWithSdk(OtlpHttpSpanExporter.builder().setEndpoint("http://127.0.0.1:" + http.port() + "/v1/traces")
        .addHeader("Authorization", "Bearer " + TOKEN).build());
    String viaGrpc = sendWithSdk(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc.port())
        .addHeader("Authorization", "Bearer " + TOKEN).build());
    assertThat(postHttp(base + 4, "Bearer " + TOKEN)).isEqualTo(200);
    assertThat(exportGrpc(base + 5, "Bearer " + TOKEN)).isEqualTo(Status.Code.OK);

    SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC,
        Set.of(viaHttp, viaGrpc, TestSpans.traceId(base + 4), TestSpans.traceId(base + 5)), 4);
    Set<String> inKafka = SpansTopic.keys(stack.kafkaBootstrapServers(), TOPIC);
    for (int refused = base; refused < base + 4; refused++) assertThat(inKafka).doesNotContain(TestSpans.traceId(refused));

    String metrics = http.meterRegistry().scrape();
    assertThat(metrics).contains("runtrace_auth_failures_total{component=\"span-ingest\",credential=\"bearer_token\"} 4.0");
    assertThat(metrics).containsPattern("runtrace_ingest_spans_accepted_total\\{topic=\"" + TOPIC.replace(".", "\\.") + "\"\\} 4\\.0");
  }
}
