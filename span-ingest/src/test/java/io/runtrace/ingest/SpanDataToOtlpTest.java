package io.runtrace.ingest;

import static io.opentelemetry.api.common.AttributeKey.booleanArrayKey;
import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleArrayKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanDataToOtlpTest {

  @Test
  void convertsEveryFieldAndAttributeType() {
    Attributes attributes = Attributes.builder()
        .put(stringKey("s"), "v").put(booleanKey("b"), true).put(longKey("l"), 42L).put(doubleKey("d"), 1.5)
        .put(stringArrayKey("sa"), List.of("x", "y")).put(booleanArrayKey("ba"), List.of(true, false))
        .put(longArrayKey("la"), List.of(1L, 2L)).put(doubleArrayKey("da"), List.of(0.5))
        .build();
    SpanContext parent = SpanContext.createFromRemoteParent(TestSpans.traceId(1), TestSpans.spanId(9), TraceFlags.getSampled(), TraceState.getDefault());
    SpanContext linked = SpanContext.create(TestSpans.traceId(2), TestSpans.spanId(7), TraceFlags.getDefault(),
        TraceState.builder().put("vendor", "x").build());
    SpanData data = TestSpanData.builder()
        .setSpanContext(SpanContext.create(TestSpans.traceId(1), TestSpans.spanId(1), TraceFlags.getSampled(), TraceState.getDefault()))
        .setParentSpanContext(parent)
        .setResource(TestSpans.RESOURCE)
        .setInstrumentationScopeInfo(TestSpans.SCOPE)
        .setName("step.run").setKind(SpanKind.SERVER)
        .setStartEpochNanos(TestSpans.START).setEndEpochNanos(TestSpans.START + 5)
        .setAttributes(attributes).setTotalAttributeCount(attributes.size() + 2)
        .setEvents(List.of(EventData.create(TestSpans.START + 1, "retry", Attributes.of(longKey("attempt"), 2L))))
        .setTotalRecordedEvents(3)
        .setLinks(List.of(LinkData.create(linked, Attributes.of(stringKey("why"), "fan-in"))))
        .setTotalRecordedLinks(1)
        .setStatus(StatusData.create(io.opentelemetry.api.trace.StatusCode.ERROR, "boom"))
        .setHasEnded(true)
        .build();

    List<ResourceSpans> out = SpanDataToOtlp.toResourceSpans(List.of(data), (s, e) -> { throw e; });

    assertThat(out).hasSize(1);
    assertThat(out.get(0).getResource().getAttributes(0).getKey()).isEqualTo("service.name");
    assertThat(out.get(0).getScopeSpans(0).getScope().getName()).isEqualTo("runtrace-test");
    assertThat(out.get(0).getScopeSpans(0).getScope().getVersion()).isEqualTo("1.0");
    Span span = out.get(0).getScopeSpans(0).getSpans(0);
    assertThat(TraceRecordBatcher.hex(span.getTraceId())).isEqualTo(TestSpans.traceId(1));
    assertThat(TraceRecordBatcher.hex(span.getSpanId())).isEqualTo(TestSpans.spanId(1));
    assertThat(TraceRecordBatcher.hex(span.getParentSpanId())).isEqualTo(TestSpans.spanId(9));
    assertThat(span.getFlags()).isEqualTo(0x01 | SpanDataToOtlp.HAS_IS_REMOTE | SpanDataToOtlp.IS_REMOTE);
    assertThat(span.getName()).isEqualTo("step.run");
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getStartTimeUnixNano()).isEqualTo(TestSpans.START);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(TestSpans.START + 5);
    assertThat(span.getDroppedAttributesCount()).isEqualTo(2);
    Map<String, AnyValue> attrs = span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    assertThat(attrs.get("s").getStringValue()).isEqualTo("v");
    assertThat(attrs.get("b").getBoolValue()).isTrue();
    assertThat(attrs.get("l").getIntValue()).isEqualTo(42);
    assertThat(attrs.get("d").getDoubleValue()).isEqualTo(1.5);
    assertThat(attrs.get("sa").getArrayValue().getValuesList()).extracting(AnyValue::getStringValue).containsExactly("x", "y");
    assertThat(attrs.get("ba").getArrayValue().getValuesList()).extracting(AnyValue::getBoolValue).containsExactly(true, false);
    assertThat(attrs.get("la").getArrayValue().getValuesList()).extracting(AnyValue::getIntValue).containsExactly(1L, 2L);
    assertThat(attrs.get("da").getArrayValue().getValuesList()).extracting(AnyValue::getDoubleValue).containsExactly(0.5);
    assertThat(span.getEvents(0).getName()).isEqualTo("retry");
    assertThat(span.getEvents(0).getTimeUnixNano()).isEqualTo(TestSpans.START + 1);
    assertThat(span.getEvents(0).getAttributes(0).getValue().getIntValue()).isEqualTo(2);
    assertThat(span.getDroppedEventsCount()).isEqualTo(2);
    assertThat(TraceRecordBatcher.hex(span.getLinks(0).getTraceId())).isEqualTo(TestSpans.traceId(2));
    assertThat(span.getLinks(0).getTraceState()).isEqualTo("vendor=x");
    assertThat(span.getLinks(0).getAttributes(0).getValue().getStringValue()).isEqualTo("fan-in");
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(span.getStatus().getMessage()).isEqualTo("boom");
  }

  @Test
  void convertsSpansOfARealTracerGroupedByScope() {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    List<SpanData> finished;
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
      io.opentelemetry.api.trace.Span root = provider.get("a").spanBuilder("run").startSpan();
      try (var scope = root.makeCurrent()) {
        provider.get("b").spanBuilder("step").startSpan().end();
      }
      root.end();
      finished = memory.getFinishedSpanItems(); // shutdown clears the exporter
    }
    List<ResourceSpans> out = SpanDataToOtlp.toResourceSpans(finished, (s, e) -> { throw e; });

    assertThat(out).hasSize(1);
    assertThat(out.get(0).getScopeSpansList()).extracting(ss -> ss.getScope().getName()).containsExactly("b", "a");
    Span step = out.get(0).getScopeSpans(0).getSpans(0);
    Span run = out.get(0).getScopeSpans(1).getSpans(0);
    assertThat(step.getParentSpanId()).isEqualTo(run.getSpanId());
    assertThat(step.getTraceId()).isEqualTo(run.getTraceId());
    assertThat(run.getParentSpanId().isEmpty()).isTrue();
  }

  @Test
  void reportsASpanThatFailsToConvertAndKeepsTheRest() {
    SpanData good = TestSpans.span(1, 1, "ok", Attributes.empty());
    SpanData broken = TestSpanData.builder().setSpanContext(good.getSpanContext()).setResource(TestSpans.RESOURCE)
        .setInstrumentationScopeInfo(TestSpans.SCOPE).setName("broken").setKind(SpanKind.INTERNAL)
        .setStartEpochNanos(1).setEndEpochNanos(2).setStatus(StatusData.unset()).setHasEnded(true)
        .setTotalAttributeCount(0).build();
    List<SpanData> failed = new java.util.ArrayList<>();
    SpanData nullName = new DelegatingSpanData(broken) {};
    List<ResourceSpans> out = SpanDataToOtlp.toResourceSpans(List.of(good, nullName), (s, e) -> failed.add(s));
    assertThat(failed).containsExactly(nullName);
    assertThat(out.get(0).getScopeSpans(0).getSpansList()).extracting(Span::getName).containsExactly("ok");
  }

  /** A span whose name is null, as a buggy custom SpanData might report. */
  private abstract static class DelegatingSpanData extends io.opentelemetry.sdk.trace.data.DelegatingSpanData {
    DelegatingSpanData(SpanData delegate) {
      super(delegate);
    }

    @Override
    public String getName() {
      return null;
    }
  }
}
