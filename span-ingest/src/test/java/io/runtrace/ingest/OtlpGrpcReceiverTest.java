package io.runtrace.ingest;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real gRPC server on a free loopback port; Kafka is down (nothing listens at 127.0.0.1:1). */
class OtlpGrpcReceiverTest {
  private OtlpGrpcReceiver receiver;
  private ManagedChannel channel;
  private TraceServiceGrpc.TraceServiceBlockingStub stub;

  @BeforeEach
  void start() {
    receiver = OtlpGrpcReceiver.builder().bootstrapServers("127.0.0.1:1").topic("test-" + UUID.randomUUID())
        .host("127.0.0.1").port(0).maxRequestBytes(64 * 1024)
        .maxRecordBytes(4096).bufferBytes(4 * (4096 + 1024)).flushTimeout(Duration.ofMillis(100))
        .build().start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
    stub = TraceServiceGrpc.newBlockingStub(channel).withCompression("gzip").withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    receiver.close();
  }

  private static ExportTraceServiceRequest request(int traces, int payloadBytes) {
    List<SpanData> spans = new ArrayList<>();
    for (int i = 0; i < traces; i++) spans.add(TestSpans.span(i, i, "s" + i, Attributes.of(stringKey("payload"), "x".repeat(payloadBytes))));
    return ExportTraceServiceRequest.newBuilder()
        .addAllResourceSpans(SpanDataToOtlp.toResourceSpans(spans, (s, e) -> { throw e; })).build();
  }

  @Test
  void acceptsGzippedExportsWithAnEmptyResponse() {
    ExportTraceServiceResponse response = stub.export(request(2, 10));
    assertThat(response.hasPartialSuccess()).isFalse();
  }

  @Test
  void answersResourceExhaustedWithRetryInfoWhenTheBufferIsFull() throws Exception {
    StatusRuntimeException refused = null;
    for (int i = 0; i < 20 && refused == null; i++) {
      refused = catchThrowableOfType(StatusRuntimeException.class, () -> stub.export(request(3, 1000)));
    }
    assertThat(refused).isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    com.google.rpc.Status status = StatusProto.fromThrowable(refused);
    assertThat(status.getDetailsList()).hasSize(1);
    assertThat(status.getDetails(0).unpack(RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(1);
  }

  @Test
  void refusesRequestsOverTheSizeLimit() {
    TraceServiceGrpc.TraceServiceBlockingStub plain = TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> plain.export(request(1, 100 * 1024)));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    // A small gzip body that inflates past the limit is refused too (grpc-java reports it as UNKNOWN to the client).
    assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> stub.export(request(1, 100 * 1024)))).isNotNull();
  }
}
