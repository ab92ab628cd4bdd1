package io.runtrace.demo;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.runtrace.ingest.KafkaSpanExporter;
import io.runtrace.model.RunAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A known set of runs of one tenant, sent through the pipeline: finished runs through the OTel
 * SDK and {@link KafkaSpanExporter}, and one run that went silent 20 minutes ago (an executor
 * that crashed), as a spans record with that old timestamp, so that the processor, whose
 * staleAfter is 15 minutes, flags it stale within a punctuation or two.
 */
final class DashboardWorkload {
  /** One run as sent, and what the pipeline must make of it. */
  record Run(String runId, String traceId, String environment, String function, String status, String error,
      long durationMs, Instant created, boolean stale) {
    boolean ended() {
      return !"running".equals(status);
    }

    boolean failed() {
      return "failed".equals(status) || "timed_out".equals(status);
    }
  }

  static final Duration SILENT_FOR = Duration.ofMinutes(20);
  final String tenant = "gf-" + UUID.randomUUID().toString().substring(0, 8);
  final List<Run> runs = new ArrayList<>();

  /** Sends every run; returns once the exporter and the producer have had them acknowledged. */
  DashboardWorkload send(LocalPipeline pipeline, Instant now) throws Exception {
    sendSilentRun(pipeline, now.minus(SILENT_FOR));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(io.opentelemetry.sdk.resources.Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), "executor")))
        .addSpanProcessor(BatchSpanProcessor.builder(KafkaSpanExporter.builder()
            .bootstrapServers(pipeline.stack.kafkaBootstrapServers()).topic(pipeline.topics.spans()).build())
            .setScheduleDelay(Duration.ofMillis(100)).build())
        .build();
    try {
      Tracer tracer = provider.get("dashboard-it");
      Instant t = now.minus(Duration.ofMinutes(5));
      String[][] plan = {
          // environment, function, status, error, count, duration ms
          {"production", "charge-card", "completed", "", "4", "600"},
          {"production", "charge-card", "failed", "card declined", "2", "600"},
          {"production", "charge-card", "failed", "gateway timeout", "1", "600"},
          {"production", "send-email", "completed", "", "3", "250"},
          {"production", "send-email", "failed", "smtp refused", "1", "250"},
          {"production", "send-email", "timed_out", "deadline exceeded", "1", "250"},
          {"staging", "charge-card", "completed", "", "2", "600"},
          {"staging", "charge-card", "failed", "card declined", "1", "600"},
          {"staging", "send-email", "cancelled", "", "1", "250"},
      };
      for (String[] p : plan) {
        for (int i = 0; i < Integer.parseInt(p[4]); i++) {
          t = t.plusSeconds(3);
          runs.add(emit(tracer, p[0], p[1], p[2], p[3], Long.parseLong(p[5]), t));
        }
      }
      if (!provider.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()) {
        throw new IllegalStateException("the exporter did not flush the workload");
      }
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
    return this;
  }

  private Run emit(Tracer tracer, String environment, String function, String status, String error, long durationMs,
      Instant start) {
    String runId = "run_" + UUID.randomUUID();
    long base = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    long end = base + durationMs * 1_000_000L;
    Span run = tracer.spanBuilder("run " + function).setNoParent().setStartTimestamp(base, TimeUnit.NANOSECONDS)
        .setAttribute(RunAttributes.RUN_ID, runId).setAttribute(RunAttributes.TENANT, tenant)
        .setAttribute(RunAttributes.ENVIRONMENT, environment).setAttribute(RunAttributes.APP, "billing")
        .setAttribute(RunAttributes.FUNCTION, function).startSpan();
    Span step = tracer.spanBuilder("step work").setParent(Context.root().with(run))
        .setStartTimestamp(base + 10_000_000L, TimeUnit.NANOSECONDS)
        .setAttribute(RunAttributes.RUN_ID, runId).setAttribute(RunAttributes.STEP, "work").startSpan();
    if (!error.isEmpty()) step.setStatus(StatusCode.ERROR, error);
    step.end(end - 10_000_000L, TimeUnit.NANOSECONDS);
    if (!error.isEmpty()) run.setStatus(StatusCode.ERROR, error);
    run.setAttribute(RunAttributes.RUN_STATUS, status);
    run.end(end, TimeUnit.NANOSECONDS);
    return new Run(runId, run.getSpanContext().getTraceId(), environment, function, status, error, durationMs,
        start, false);
  }

  /** A running run whose only span, and its Kafka record, are {@code SILENT_FOR} old. */
  private void sendSilentRun(LocalPipeline pipeline, Instant at) throws Exception {
    byte[] traceId = new byte[16];
    byte[] spanId = new byte[8];
    ThreadLocalRandom.current().nextBytes(traceId);
    ThreadLocalRandom.current().nextBytes(spanId);
    String runId = "run_" + UUID.randomUUID();
    long start = at.getEpochSecond() * 1_000_000_000L + at.getNano();
    io.opentelemetry.proto.trace.v1.Span span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
        .setName("run send-email").setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 100_000_000L)
        .addAllAttributes(List.of(attr(RunAttributes.RUN_ID, runId), attr(RunAttributes.TENANT, tenant),
            attr(RunAttributes.ENVIRONMENT, "production"), attr(RunAttributes.APP, "billing"),
            attr(RunAttributes.FUNCTION, "send-email"), attr(RunAttributes.RUN_STATUS, "running")))
        .build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "executor")))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build();
    String hex = HexFormat.of().formatHex(traceId);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.stack.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(pipeline.topics.spans(), null, at.toEpochMilli(), hex, request.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    }
    runs.add(new Run(runId, hex, "production", "send-email", "running", "", 0, at, true));
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
