package io.runtrace.ingest;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.runtrace.model.RunAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TraceRecordBatcherTest {

  private static List<ResourceSpans> otlp(List<SpanData> spans) {
    return SpanDataToOtlp.toResourceSpans(spans, (s, e) -> { throw e; });
  }

  private static ExportTraceServiceRequest parse(TraceRecord record) throws Exception {
    return ExportTraceServiceRequest.parseFrom(record.value);
  }

  private static List<Span> spans(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream()).collect(Collectors.toList());
  }

  @Test
  void oneRecordPerTraceKeyedByHexTraceIdKeepingResourceGrouping() throws Exception {
    Resource other = Resource.empty().toBuilder().put("service.name", "api").build();
    SpanData fromOther = TestSpanData.builder().setSpanContext(TestSpans.span(1, 3, "x", Attributes.empty()).getSpanContext())
        .setResource(other).setInstrumentationScopeInfo(TestSpans.SCOPE).setName("api-call")
        .setKind(io.opentelemetry.api.trace.SpanKind.CLIENT).setStartEpochNanos(1).setEndEpochNanos(2)
        .setStatus(io.opentelemetry.sdk.trace.data.StatusData.unset()).setHasEnded(true).build();
    List<SpanData> input = List.of(
        TestSpans.span(1, 1, "run", Attributes.of(stringKey(RunAttributes.RUN_STATUS), "running")),
        TestSpans.span(2, 2, "other-trace", Attributes.empty()),
        TestSpans.span(1, 4, "step", Attributes.empty()),
        fromOther);

    TraceRecordBatcher.Result result = new TraceRecordBatcher(1_000_000).batch(otlp(input));

    assertThat(result.records).extracting(r -> r.key).containsExactly(TestSpans.traceId(1), TestSpans.traceId(2));
    TraceRecord first = result.records.get(0);
    assertThat(first.spans).isEqualTo(3);
    assertThat(first.runRoot).isTrue();
    assertThat(result.records.get(1).runRoot).isFalse();
    ExportTraceServiceRequest request = parse(first);
    assertThat(request.getResourceSpansList()).hasSize(2);
    assertThat(request.getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue()).isEqualTo("executor");
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getSpansList()).extracting(Span::getName).containsExactly("run", "step");
    assertThat(request.getResourceSpans(1).getScopeSpans(0).getSpansList()).extracting(Span::getName).containsExactly("api-call");
    assertThat(first.key).hasSize(32).matches("[0-9a-f]{32}");
  }

  @Test
  void splitsALargeTraceIntoRecordsBelowMaxRecordBytes() throws Exception {
    List<SpanData> input = new ArrayList<>();
    for (int i = 0; i < 200; i++) input.add(TestSpans.span(7, i, "step-" + i, Attributes.of(stringKey("payload"), "x".repeat(100))));
    int max = 4096;

    TraceRecordBatcher.Result result = new TraceRecordBatcher(max).batch(otlp(input));

    assertThat(result.records.size()).isGreaterThan(5);
    List<String> names = new ArrayList<>();
    for (TraceRecord record : result.records) {
      assertThat(record.value.length).isLessThanOrEqualTo(max);
      assertThat(record.key).isEqualTo(TestSpans.traceId(7));
      ExportTraceServiceRequest request = parse(record);
      assertThat(request.getResourceSpans(0).getResource().getAttributesCount()).isEqualTo(1);
      assertThat(request.getResourceSpans(0).getScopeSpans(0).getScope().getName()).isEqualTo("runtrace-test");
      spans(request).forEach(s -> names.add(s.getName()));
      assertThat(spans(request)).hasSize(record.spans);
    }
    assertThat(names).hasSize(200).first().isEqualTo("step-0");
    assertThat(names).last().isEqualTo("step-199");
    // Records are filled, not one span each.
    assertThat(result.records.get(0).value.length).isGreaterThan(max - 300);
  }

  @Test
  void trimsASpanLargerThanARecordKeepingRunAttributesAndMarkingIt() throws Exception {
    List<SpanData> input = List.of(
        TestSpans.span(1, 1, "huge", Attributes.of(stringKey("payload"), "x".repeat(5000), stringKey(RunAttributes.RUN_STATUS), "failed")),
        TestSpans.span(1, 2, "small", Attributes.empty()));

    TraceRecordBatcher.Result result = new TraceRecordBatcher(4096).batch(otlp(input));

    assertThat(result.trimmedSpans).isEqualTo(1);
    assertThat(result.tooLargeSpans).isZero();
    assertThat(result.records).hasSize(1);
    assertThat(result.records.get(0).runRoot).isTrue();
    Span huge = spans(parse(result.records.get(0))).stream().filter(s -> s.getName().equals("huge")).findFirst().orElseThrow();
    assertThat(huge.getAttributesList()).extracting(kv -> kv.getKey())
        .containsExactlyInAnyOrder(RunAttributes.RUN_STATUS, SpanTrimmer.TRIMMED);
    assertThat(huge.getDroppedAttributesCount()).isEqualTo(1);
  }

  @Test
  void dropsASpanStillTooLargeWhenTrimmedAndNamesItInRejections() {
    io.opentelemetry.api.common.AttributesBuilder big = Attributes.builder();
    for (int i = 0; i < 30; i++) big.put("runtrace.x" + i, "y".repeat(200));
    List<SpanData> input = List.of(TestSpans.span(1, 1, "huge", big.build()), TestSpans.span(1, 2, "small", Attributes.empty()));

    TraceRecordBatcher.Result result = new TraceRecordBatcher(4096).batch(otlp(input));

    assertThat(result.tooLargeSpans).isEqualTo(1);
    assertThat(result.records).hasSize(1);
    assertThat(result.records.get(0).spans).isEqualTo(1);
    assertThat(result.rejections.toString()).isEqualTo("span " + TestSpans.spanId(1) + ": too large");
  }

  @Test
  void countsSpansWithoutAValidTraceId() {
    ResourceSpans rs = otlp(List.of(TestSpans.span(1, 1, "ok", Attributes.empty()))).get(0);
    ResourceSpans bad = rs.toBuilder().setScopeSpans(0, rs.getScopeSpans(0).toBuilder()
        .addSpans(rs.getScopeSpans(0).getSpans(0).toBuilder().setTraceId(ByteString.copyFrom(new byte[3])))).build();

    TraceRecordBatcher.Result result = new TraceRecordBatcher(4096).batch(List.of(bad));

    assertThat(result.invalidSpans).isEqualTo(1);
    assertThat(result.records).hasSize(1);
  }
}
