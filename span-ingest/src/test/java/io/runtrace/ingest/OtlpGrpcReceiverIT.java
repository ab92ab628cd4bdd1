package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import io.runtrace.model.RunAttributes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class OtlpGrpcReceiverIT {
  private static final String TOPIC = KafkaSettings.DEFAULT_TOPIC;

  @Test
  void theSdksOwnOtlpGrpcExporterWithGzipLandsPerTrace(LocalStack stack) throws Exception {
    SpansTopic.create(stack.kafkaBootstrapServers(), TOPIC);
    String trace;
    try (OtlpGrpcReceiver receiver = OtlpGrpcReceiver.builder().bootstrapServers(stack.kafkaBootstrapServers())
        .host("127.0.0.1").port(0).build().start()) {
      OtlpGrpcSpanExporter otlp = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + receiver.port())
          .setCompression("gzip").build();
      try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(otlp).build()).build()) {
        Tracer tracer = provider.get("otlp-grpc-it");
        Span run = tracer.spanBuilder("run").setAttribute(RunAttributes.RUN_STATUS, "completed").startSpan();
        try (Scope ignored = run.makeCurrent()) {
          tracer.spanBuilder("step").startSpan().end();
        }
        run.end();
        trace = run.getSpanContext().getTraceId();
        assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
      }
    }

    List<ConsumerRecord<String, byte[]>> records = SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(trace), 2);
    assertThat(records.stream().flatMap(r -> SpansTopic.spans(r).stream()).collect(Collectors.toList()))
        .extracting(io.opentelemetry.proto.trace.v1.Span::getName).containsExactlyInAnyOrder("run", "step");
    assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(trace));
  }
}
