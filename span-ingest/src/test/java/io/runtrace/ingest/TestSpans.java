package io.runtrace.ingest;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

/** Fixed-time spans for tests. */
final class TestSpans {
  static final long START = 1_700_000_000_000_000_000L;
  static final Resource RESOURCE = Resource.empty().toBuilder().put("service.name", "executor").build();
  static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("runtrace-test").setVersion("1.0").build();

  private TestSpans() {}

  static String traceId(int n) {
    return String.format("%032x", 0xabc00000L + n);
  }

  static String spanId(int n) {
    return String.format("%016x", 0x100L + n);
  }

  static SpanData span(int trace, int span, String name, Attributes attributes) {
    return TestSpanData.builder()
        .setSpanContext(SpanContext.create(traceId(trace), spanId(span), TraceFlags.getSampled(), TraceState.getDefault()))
        .setResource(RESOURCE)
        .setInstrumentationScopeInfo(SCOPE)
        .setName(name)
        .setKind(SpanKind.INTERNAL)
        .setStartEpochNanos(START)
        .setEndEpochNanos(START + 1_000_000)
        .setAttributes(attributes)
        .setTotalAttributeCount(attributes.size())
        .setStatus(StatusData.unset())
        .setHasEnded(true)
        .build();
  }
}
