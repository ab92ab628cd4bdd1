package io.runtrace.ingest;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real HTTP server on a free loopback port; Kafka is down (nothing listens at 127.0.0.1:1). */
class OtlpHttpReceiverTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private OtlpHttpReceiver receiver;

  @BeforeEach
  void start() {
    receiver = OtlpHttpReceiver.builder().bootstrapServers("127.0.0.1:1").topic("test-" + UUID.randomUUID())
        .host("127.0.0.1").port(0).maxRequestBytes(64 * 1024)
        .maxRecordBytes(4096).bufferBytes(4 * (4096 + 1024)).flushTimeout(Duration.ofMillis(100))
        .build().start();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  private static ExportTraceServiceRequest request(int traces, int payloadBytes) {
    List<SpanData> spans = new ArrayList<>();
    for (int i = 0; i < traces; i++) spans.add(TestSpans.span(i, i, "s" + i, Attributes.of(stringKey("payload"), "x".repeat(payloadBytes))));
    return ExportTraceServiceRequest.newBuilder()
        .addAllResourceSpans(SpanDataToOtlp.toResourceSpans(spans, (s, e) -> { throw e; })).build();
  }

  private HttpResponse<byte[]> post(String contentType, byte[] body, String encoding) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + "/v1/traces"))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) b.header("Content-Encoding", encoding);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptsProtobufAndAnswersWithAnExportResponse() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", request(2, 10).toByteArray(), null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(ExportTraceServiceResponse.parseFrom(response.body()).hasPartialSuccess()).isFalse();
    assertThat(get("/metrics").body()).contains("runtrace_ingest_spans_accepted_total{topic=\"test-").contains("} 2.0");
  }

  @Test
  void acceptsGzip() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(request(1, 10).toByteArray());
    }
    assertThat(post("application/x-protobuf", bytes.toByteArray(), "gzip").statusCode()).isEqualTo(200);
  }

  @Test
  void reportsTooLargeSpansAsPartialSuccessNamingThem() throws Exception {
    io.opentelemetry.api.common.AttributesBuilder big = Attributes.builder();
    for (int i = 0; i < 30; i++) big.put("runtrace.x" + i, "y".repeat(200));
    ExportTraceServiceRequest huge = ExportTraceServiceRequest.newBuilder().addAllResourceSpans(
        SpanDataToOtlp.toResourceSpans(List.of(TestSpans.span(7, 7, "huge", big.build())), (s, e) -> { throw e; })).build();
    ExportTraceServiceRequest request = huge.toBuilder().mergeFrom(request(1, 10)).build();
    HttpResponse<byte[]> response = post("application/x-protobuf", request.toByteArray(), null);
    assertThat(response.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse body = ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(body.getPartialSuccess().getErrorMessage()).isEqualTo("span " + TestSpans.spanId(7) + ": too large");
    assertThat(get("/metrics").body()).contains("runtrace_ingest_spans_dropped_total{reason=\"too_large\"");
  }

  @Test
  void acceptsOtlpJsonWithHexIdsAndSnakeOrCamelNames() throws Exception {
    String trace = TestSpans.traceId(9);
    String json = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"api\"}}]},"
        + "\"scope_spans\":[{\"spans\":[{\"traceId\":\"" + trace + "\",\"spanId\":\"" + TestSpans.spanId(1) + "\","
        + "\"parent_span_id\":\"" + TestSpans.spanId(2) + "\",\"name\":\"step\",\"kind\":2,"
        + "\"startTimeUnixNano\":\"1700000000000000000\",\"end_time_unix_nano\":1700000000001000000}]}]}]}";
    HttpResponse<byte[]> response = post("application/json", json.getBytes(), null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new String(response.body())).isEqualTo("{}");

    ExportTraceServiceRequest parsed = OtlpJson.parse(json.getBytes());
    io.opentelemetry.proto.trace.v1.Span span = parsed.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(TraceRecordBatcher.hex(span.getTraceId())).isEqualTo(trace);
    assertThat(TraceRecordBatcher.hex(span.getParentSpanId())).isEqualTo(TestSpans.spanId(2));
    assertThat(span.getEndTimeUnixNano()).isEqualTo(1700000000001000000L);

    HttpResponse<byte[]> bad = post("application/json", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\"}]}]}]}".getBytes(), null);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void answers429WithRetryAfterWhenTheBufferIsFull() throws Exception {
    HttpResponse<byte[]> response = null;
    for (int i = 0; i < 20; i++) {
      response = post("application/x-protobuf", request(3, 1000).toByteArray(), null);
      if (response.statusCode() != 200) break;
    }
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(errorMessage(response.body())).contains("buffer is full");
    assertThat(get("/metrics").body()).containsPattern("runtrace_ingest_requests_throttled_total\\{topic=\"[^\"]+\"\\} [1-9]");
  }

  @Test
  void rejectsMalformedOversizedAndUnsupportedRequests() throws Exception {
    HttpResponse<byte[]> malformed = post("application/x-protobuf", new byte[] {(byte) 0xff, 0x01, 0x02}, null);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(errorMessage(malformed.body())).contains("malformed");

    assertThat(post("application/x-protobuf", new byte[128 * 1024], null).statusCode()).isEqualTo(413);
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
      gz.write(new byte[1024 * 1024]);
    }
    assertThat(post("application/x-protobuf", bomb.toByteArray(), "gzip").statusCode()).isEqualTo(413);

    assertThat(post("text/plain", "x".getBytes(), null).statusCode()).isEqualTo(415);
  }

  @Test
  void servesHealthReadinessAndMetrics() throws Exception {
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    assertThat(get("/ready").statusCode()).as("nothing held yet, so nothing waits on Kafka").isEqualTo(200);
    post("application/x-protobuf", request(1, 10).toByteArray(), null);
    HttpResponse<String> ready = null;
    for (int i = 0; i < 100 && (ready == null || ready.statusCode() == 200); i++) {
      Thread.sleep(100);
      ready = get("/ready");
    }
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("Kafka is unreachable");
    assertThat(get("/metrics").body()).contains("runtrace_ingest_circuit_open{topic=\"test-").contains("} 1.0");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("runtrace_ingest_spans_sent_total", "runtrace_ingest_buffered_bytes",
        "runtrace_ingest_in_flight_records", "runtrace_ingest_send_latency_seconds", "runtrace_ingest_producer_recoveries_total",
        "runtrace_ingest_spans_dropped_total{reason=\"buffer_full\"");
  }

  /** The message of a google.rpc.Status body (field 2). */
  private static String errorMessage(byte[] status) throws Exception {
    CodedInputStream in = CodedInputStream.newInstance(status);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag >>> 3 == 2) return in.readString();
      in.skipField(tag);
    }
    return "";
  }
}
