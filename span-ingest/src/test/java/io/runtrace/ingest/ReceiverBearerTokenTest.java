package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Both receivers with a bearer token, on free loopback ports; Kafka is down (nothing listens at 127.0.0.1:1). */
class ReceiverBearerTokenTest {
  private static final String TOKEN = "right-" + UUID.randomUUID();
  private static final String WRONG = "wrong-" + UUID.randomUUID();
  private final HttpClient client = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private OtlpHttpReceiver http;
  private OtlpGrpcReceiver grpc;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    Logger.getLogger(BearerAuth.class.getName()).addHandler(capture);
    String topic = "test-" + UUID.randomUUID();
    http = OtlpHttpReceiver.builder().bootstrapServers("127.0.0.1:1").topic(topic).host("127.0.0.1").port(0)
        .flushTimeout(Duration.ofMillis(100)).meterRegistry(registry).bearerToken(TOKEN).build().start();
    grpc = OtlpGrpcReceiver.builder().bootstrapServers("127.0.0.1:1").topic(topic).host("127.0.0.1").port(0)
        .flushTimeout(Duration.ofMillis(100)).meterRegistry(registry).bearerToken(TOKEN).build().start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    Logger.getLogger(BearerAuth.class.getName()).removeHandler(capture);
    channel.shutdownNow();
    grpc.close();
    http.close();
  }

  private static ExportTraceServiceRequest request() {
    return ExportTraceServiceRequest.newBuilder()
        .addAllResourceSpans(SpanDataToOtlp.toResourceSpans(List.of(TestSpans.span(1, 1, "s", Attributes.empty())), (s, e) -> { throw e; }))
        .build();
  }

  private HttpResponse<String> post(String authorization, String contentType) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/v1/traces"))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(request().toByteArray()));
    if (authorization != null) b.header("Authorization", authorization);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String metric(String name) throws Exception {
    return get("/metrics").body().lines().filter(l -> l.startsWith(name)).findFirst().orElse("absent");
  }

  private TraceServiceGrpc.TraceServiceBlockingStub stub(String authorization) {
    TraceServiceGrpc.TraceServiceBlockingStub stub = TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    if (authorization == null) return stub;
    Metadata headers = new Metadata();
    headers.put(BearerTokenInterceptor.AUTHORIZATION, authorization);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void theFailureSeriesExistsAtZeroBeforeAnyRequest() throws Exception {
    assertThat(metric("runtrace_auth_failures_total{component=\"span-ingest\",credential=\"bearer_token\"}")).endsWith(" 0.0");
    assertThat(metric("runtrace_auth_failures_total{component=\"span-ingest\",credential=\"kafka\"}")).endsWith(" 0.0");
  }

  @Test
  void httpWithoutTheTokenIs401WithWwwAuthenticateAndKeepsNothing() throws Exception {
    HttpResponse<String> missing = post(null, "application/json");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"runtrace\"");
    assertThat(missing.body()).isEqualTo("{\"code\":401,\"message\":\"missing bearer token: send Authorization: Bearer <token>\"}");

    HttpResponse<String> wrong = post("Bearer " + WRONG, "application/x-protobuf");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"runtrace\", error=\"invalid_token\"");
    assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(wrong.body()).contains("invalid bearer token");

    assertThat(post("Basic " + TOKEN, "application/x-protobuf").statusCode()).isEqualTo(401);
    assertThat(metric("runtrace_ingest_spans_accepted_total")).endsWith(" 0.0");
    assertThat(metric("runtrace_auth_failures_total{component=\"span-ingest\",credential=\"bearer_token\"}")).endsWith(" 3.0");

    assertThat(post("Bearer " + TOKEN, "application/x-protobuf").statusCode()).isEqualTo(200);
    assertThat(metric("runtrace_ingest_spans_accepted_total")).endsWith(" 1.0");
  }

  @Test
  void healthReadinessAndMetricsStayOpen() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/ready").statusCode()).isEqualTo(200);
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void grpcWithoutTheTokenIsUnauthenticatedAndKeepsNothing() throws Exception {
    StatusRuntimeException missing = catchThrowableOfType(StatusRuntimeException.class, () -> stub(null).export(request()));
    assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(missing.getStatus().getDescription()).isEqualTo("missing bearer token: send metadata authorization: Bearer <token>");
    StatusRuntimeException wrong = catchThrowableOfType(StatusRuntimeException.class, () -> stub("Bearer " + WRONG).export(request()));
    assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.getStatus().getDescription()).isEqualTo("invalid bearer token");
    assertThat(metric("runtrace_ingest_spans_accepted_total")).endsWith(" 0.0");
    assertThat(metric("runtrace_auth_failures_total{component=\"span-ingest\",credential=\"bearer_token\"}")).endsWith(" 2.0");

    assertThat(stub("Bearer " + TOKEN).export(request()).hasPartialSuccess()).isFalse();
    assertThat(metric("runtrace_ingest_spans_accepted_total")).endsWith(" 1.0");
  }

  @Test
  void theLogSaysWhatWasRefusedAndFromWhereButNeverTheToken() throws Exception {
    post("Bearer " + WRONG, "application/x-protobuf");
    post("Bearer " + WRONG, "application/x-protobuf");
    catchThrowableOfType(StatusRuntimeException.class, () -> stub("Bearer " + WRONG).export(request()));

    assertThat(logged).as("one line per receiver within 10 s").hasSize(2);
    assertThat(logged.get(0)).startsWith("Refused an OTLP/HTTP request with a wrong bearer token from /127.0.0.1:");
    assertThat(logged.get(1)).startsWith("Refused an OTLP/gRPC request with a wrong bearer token from /127.0.0.1:");
    assertThat(String.join("\n", logged)).doesNotContain(WRONG).doesNotContain(TOKEN);
  }

  @Test
  void aBlankOrMalformedTokenFailsAtBuildNamingTheSetting() {
    assertThatThrownBy(() -> OtlpHttpReceiver.builder().bootstrapServers("k:9092").bearerToken(" ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bearerToken must not be blank");
    assertThatThrownBy(() -> OtlpGrpcReceiver.builder().bootstrapServers("k:9092").bearerToken("a b").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bearerToken must be visible ASCII");
  }
}
