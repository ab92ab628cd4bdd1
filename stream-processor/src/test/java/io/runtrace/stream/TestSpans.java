package io.runtrace.stream;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.runtrace.model.RunAttributes;
import java.util.HexFormat;
import java.util.List;

/** Builds OTLP spans of runs for tests, at fixed times. */
final class TestSpans {
  static final long T0 = 1_763_800_000_000_000_000L; // 2025-11-22, in nanoseconds
  static final long MS = 1_000_000L;

  private TestSpans() {}

  static String traceId(int n) {
    return String.format("%032x", 0xabc000L + n);
  }

  static String spanId(int n) {
    return String.format("%016x", 0x100L + n);
  }

  /** The run's own span: no parent, reports a status. */
  static Span runSpan(String traceId, String runId, String status, long startMs, long endMs) {
    return span(traceId, spanId(0), "", "run " + runId, startMs, endMs, false,
        kv(RunAttributes.RUN_ID, runId), kv(RunAttributes.TENANT, "acme"), kv(RunAttributes.ENVIRONMENT, "prod"),
        kv(RunAttributes.APP, "billing"), kv(RunAttributes.FUNCTION, "charge-card"),
        kv(RunAttributes.RUN_STATUS, status));
  }

  /** A step span under the run span, without run attributes except the run id. */
  static Span stepSpan(String traceId, int n, String step, int attempt, long startMs, long endMs, boolean error) {
    return span(traceId, spanId(n), spanId(0), "step " + step, startMs, endMs, error,
        kv(RunAttributes.RUN_ID, "ignored-on-steps-" + n).toBuilder().setKey(RunAttributes.STEP)
            .setValue(AnyValue.newBuilder().setStringValue(step)).build(),
        KeyValue.newBuilder().setKey(RunAttributes.ATTEMPT).setValue(AnyValue.newBuilder().setIntValue(attempt)).build());
  }

  static Span span(String traceId, String spanId, String parent, String name, long startMs, long endMs,
      boolean error, KeyValue... attrs) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceId)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId)))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(T0 + startMs * MS)
        .setEndTimeUnixNano(T0 + endMs * MS)
        .addAllAttributes(List.of(attrs));
    if (!parent.isEmpty()) b.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(parent)));
    if (error) b.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage(name + " failed"));
    return b.build();
  }

  static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static byte[] request(List<Span> spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", "executor")))
            .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans)))
        .build().toByteArray();
  }

  static byte[] request(Span... spans) {
    return request(List.of(spans));
  }
}
