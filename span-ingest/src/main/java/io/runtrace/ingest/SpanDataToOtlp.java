package io.runtrace.ingest;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts SDK {@link SpanData} to OTLP protobuf, grouped by resource and scope like the SDK's own OTLP exporter. */
final class SpanDataToOtlp {
  // Span.flags bits 8 and 9 (SpanFlags in trace.proto): the parent's is-remote is known / true.
  static final int HAS_IS_REMOTE = 0x100;
  static final int IS_REMOTE = 0x200;

  private SpanDataToOtlp() {}

  /** Groups {@code spans} by resource and scope; a span that fails to convert is passed to {@code onFailure}. */
  static List<ResourceSpans> toResourceSpans(Collection<SpanData> spans, FailureHandler onFailure) {
    Map<io.opentelemetry.sdk.resources.Resource, Map<InstrumentationScopeInfo, List<Span>>> grouped =
        new LinkedHashMap<>();
    for (SpanData span : spans) {
      try {
        Span proto = toSpan(span);
        grouped
            .computeIfAbsent(span.getResource(), r -> new LinkedHashMap<>())
            .computeIfAbsent(span.getInstrumentationScopeInfo(), s -> new ArrayList<>())
            .add(proto);
      } catch (RuntimeException e) {
        onFailure.failed(span, e);
      }
    }
    List<ResourceSpans> result = new ArrayList<>(grouped.size());
    grouped.forEach(
        (resource, scopes) -> {
          ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(toResource(resource));
          if (resource.getSchemaUrl() != null) rs.setSchemaUrl(resource.getSchemaUrl());
          scopes.forEach(
              (scope, protoSpans) -> {
                ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(toScope(scope)).addAllSpans(protoSpans);
                if (scope.getSchemaUrl() != null) ss.setSchemaUrl(scope.getSchemaUrl());
                rs.addScopeSpans(ss);
              });
          result.add(rs.build());
        });
    return result;
  }

  static Span toSpan(SpanData span) {
    SpanContext ctx = span.getSpanContext();
    SpanContext parent = span.getParentSpanContext();
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(ctx.getTraceIdBytes()))
            .setSpanId(ByteString.copyFrom(ctx.getSpanIdBytes()))
            .setTraceState(traceState(ctx.getTraceState()))
            .setFlags(flags(ctx, parent.isRemote()))
            .setName(span.getName())
            .setKind(kind(span.getKind()))
            .setStartTimeUnixNano(span.getStartEpochNanos())
            .setEndTimeUnixNano(span.getEndEpochNanos())
            .setDroppedAttributesCount(span.getTotalAttributeCount() - span.getAttributes().size())
            .setDroppedEventsCount(span.getTotalRecordedEvents() - span.getEvents().size())
            .setDroppedLinksCount(span.getTotalRecordedLinks() - span.getLinks().size())
            .setStatus(status(span));
    if (parent.isValid()) b.setParentSpanId(ByteString.copyFrom(parent.getSpanIdBytes()));
    addAttributes(span.getAttributes(), b::addAttributes);
    for (EventData event : span.getEvents()) {
      Span.Event.Builder e =
          Span.Event.newBuilder()
              .setTimeUnixNano(event.getEpochNanos())
              .setName(event.getName())
              .setDroppedAttributesCount(event.getDroppedAttributesCount());
      addAttributes(event.getAttributes(), e::addAttributes);
      b.addEvents(e);
    }
    for (LinkData link : span.getLinks()) {
      SpanContext lc = link.getSpanContext();
      Span.Link.Builder l =
          Span.Link.newBuilder()
              .setTraceId(ByteString.copyFrom(lc.getTraceIdBytes()))
              .setSpanId(ByteString.copyFrom(lc.getSpanIdBytes()))
              .setTraceState(traceState(lc.getTraceState()))
              .setFlags(flags(lc, lc.isRemote()))
              .setDroppedAttributesCount(link.getTotalAttributeCount() - link.getAttributes().size());
      addAttributes(link.getAttributes(), l::addAttributes);
      b.addLinks(l);
    }
    return b.build();
  }

  static Resource toResource(io.opentelemetry.sdk.resources.Resource resource) {
    Resource.Builder b = Resource.newBuilder();
    addAttributes(resource.getAttributes(), b::addAttributes);
    return b.build();
  }

  static InstrumentationScope toScope(InstrumentationScopeInfo scope) {
    InstrumentationScope.Builder b = InstrumentationScope.newBuilder().setName(scope.getName());
    if (scope.getVersion() != null) b.setVersion(scope.getVersion());
    addAttributes(scope.getAttributes(), b::addAttributes);
    return b.build();
  }

  private static void addAttributes(Attributes attributes, java.util.function.Consumer<io.opentelemetry.proto.common.v1.KeyValue> sink) {
    attributes.forEach(
        (key, value) ->
            sink.accept(
                io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                    .setKey(key.getKey())
                    .setValue(attributeValue(key, value))
                    .build()));
  }

  private static AnyValue attributeValue(AttributeKey<?> key, Object value) {
    switch (key.getType()) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) value).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) value).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) value).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) value).build();
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY:
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (Object element : (List<?>) value) array.addValues(scalar(element));
        return AnyValue.newBuilder().setArrayValue(array).build();
      default: // VALUE: a structured attribute (maps, byte arrays, nested arrays)
        return anyValue((Value<?>) value);
    }
  }

  private static AnyValue scalar(Object v) {
    if (v instanceof String) return AnyValue.newBuilder().setStringValue((String) v).build();
    if (v instanceof Boolean) return AnyValue.newBuilder().setBoolValue((Boolean) v).build();
    if (v instanceof Long) return AnyValue.newBuilder().setIntValue((Long) v).build();
    if (v instanceof Double) return AnyValue.newBuilder().setDoubleValue((Double) v).build();
    throw new IllegalArgumentException("unsupported array element " + v.getClass().getName());
  }

  private static AnyValue anyValue(Value<?> value) {
    Object v = value.getValue();
    switch (value.getType()) {
      case STRING:
      case BOOLEAN:
      case LONG:
      case DOUBLE:
        return scalar(v);
      case BYTES:
        return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(((ByteBuffer) v).duplicate())).build();
      case ARRAY:
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (Object element : (List<?>) v) array.addValues(anyValue((Value<?>) element));
        return AnyValue.newBuilder().setArrayValue(array).build();
      case KEY_VALUE_LIST:
        KeyValueList.Builder kvs = KeyValueList.newBuilder();
        for (Object element : (List<?>) v) {
          KeyValue kv = (KeyValue) element;
          kvs.addValues(
              io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                  .setKey(kv.getKey())
                  .setValue(anyValue(kv.getValue())));
        }
        return AnyValue.newBuilder().setKvlistValue(kvs).build();
      default: // EMPTY
        return AnyValue.getDefaultInstance();
    }
  }

  private static int flags(SpanContext ctx, boolean remote) {
    return (ctx.getTraceFlags().asByte() & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);
  }

  private static String traceState(TraceState state) {
    if (state.isEmpty()) return "";
    StringBuilder sb = new StringBuilder();
    state.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }

  private static Span.SpanKind kind(io.opentelemetry.api.trace.SpanKind kind) {
    switch (kind) {
      case SERVER:
        return Span.SpanKind.SPAN_KIND_SERVER;
      case CLIENT:
        return Span.SpanKind.SPAN_KIND_CLIENT;
      case PRODUCER:
        return Span.SpanKind.SPAN_KIND_PRODUCER;
      case CONSUMER:
        return Span.SpanKind.SPAN_KIND_CONSUMER;
      default:
        return Span.SpanKind.SPAN_KIND_INTERNAL;
    }
  }

  private static Status status(SpanData span) {
    Status.Builder b = Status.newBuilder().setMessage(span.getStatus().getDescription());
    switch (span.getStatus().getStatusCode()) {
      case OK:
        return b.setCode(Status.StatusCode.STATUS_CODE_OK).build();
      case ERROR:
        return b.setCode(Status.StatusCode.STATUS_CODE_ERROR).build();
      default:
        return b.setCode(Status.StatusCode.STATUS_CODE_UNSET).build();
    }
  }

  /** Receives a span that could not be converted, with the reason. */
  interface FailureHandler {
    void failed(SpanData span, RuntimeException error);
  }
}
