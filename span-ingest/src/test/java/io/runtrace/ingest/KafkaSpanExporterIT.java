package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import io.runtrace.model.RunAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class KafkaSpanExporterIT {
  private static final String TOPIC = KafkaSettings.DEFAULT_TOPIC;

  @BeforeAll
  static void createTopic(LocalStack stack) throws Exception {
    SpansTopic.create(stack.kafkaBootstrapServers(), TOPIC);
  }

  /** Emits a run span with {@code steps} step spans; returns the trace id. */
  private static String emitRun(Tracer tracer, String runId, int steps, String payload) {
    Span run = tracer.spanBuilder("run").setAttribute(RunAttributes.RUN_ID, runId)
        .setAttribute(RunAttributes.RUN_STATUS, "completed").setAttribute(RunAttributes.ATTEMPT, 1L).startSpan();
    try (Scope ignored = run.makeCurrent()) {
      for (int i = 0; i < steps; i++) {
        tracer.spanBuilder("step-" + i).setAttribute(RunAttributes.STEP, "step-" + i).setAttribute("payload", payload)
            .startSpan().end();
      }
    } finally {
      run.end();
    }
    return run.getSpanContext().getTraceId();
  }

  @Test
  void spansOfARealTracerLandAsOneTracePerRecord(LocalStack stack) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(stack.kafkaBootstrapServers())
        .meterRegistry(registry).build();
    String runA = UUID.randomUUID().toString();
    String runB = UUID.randomUUID().toString();
    String traceA;
    String traceB;
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build()) {
      Tracer tracer = provider.get("runtrace-it");
      traceA = emitRun(tracer, runA, 5, "a");
      traceB = emitRun(tracer, runB, 2, "b");
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    List<ConsumerRecord<String, byte[]>> records =
        SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(traceA, traceB), 6 + 3);

    for (ConsumerRecord<String, byte[]> record : records) {
      assertThat(SpansTopic.spans(record)).allSatisfy(s -> assertThat(TraceRecordBatcher.hex(s.getTraceId())).isEqualTo(record.key()));
    }
    List<io.opentelemetry.proto.trace.v1.Span> spansA = records.stream().filter(r -> r.key().equals(traceA))
        .flatMap(r -> SpansTopic.spans(r).stream()).collect(Collectors.toList());
    assertThat(spansA).extracting(io.opentelemetry.proto.trace.v1.Span::getName)
        .containsExactlyInAnyOrder("run", "step-0", "step-1", "step-2", "step-3", "step-4");
    io.opentelemetry.proto.trace.v1.Span run = spansA.stream().filter(s -> s.getName().equals("run")).findFirst().orElseThrow();
    Map<String, String> attributes = run.getAttributesList().stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue()) : kv.getValue().getStringValue()));
    assertThat(attributes).containsEntry(RunAttributes.RUN_ID, runA).containsEntry(RunAttributes.RUN_STATUS, "completed")
        .containsEntry(RunAttributes.ATTEMPT, "1");
    assertThat(registry.get("runtrace.ingest.spans.sent").functionCounter().count()).isGreaterThanOrEqualTo(9);
  }

  @Test
  void aLargeTraceIsSplitIntoRecordsBelowMaxRecordBytes(LocalStack stack) throws Exception {
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(stack.kafkaBootstrapServers())
        .maxRecordBytes(8 * 1024).build();
    String trace;
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build()) {
      trace = emitRun(provider.get("runtrace-it"), UUID.randomUUID().toString(), 59, "x".repeat(1000));
    }

    List<ConsumerRecord<String, byte[]>> records = SpansTopic.read(stack.kafkaBootstrapServers(), TOPIC, Set.of(trace), 60);

    assertThat(records.size()).isGreaterThan(5);
    assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(8 * 1024));
    assertThat(records).extracting(ConsumerRecord::partition).as("one key, one partition").containsOnly(records.get(0).partition());
  }

  @Test
  void shutdownFlushesWithinTheDeadline(LocalStack stack) {
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(stack.kafkaBootstrapServers())
        .flushTimeout(Duration.ofSeconds(10)).build();
    exporter.export(List.of(TestSpans.span((int) (Math.random() * 1e6), 1, "flushed", io.opentelemetry.api.common.Attributes.empty())));
    assertThat(exporter.shutdown().join(15, TimeUnit.SECONDS).isSuccess()).isTrue();
  }
}
