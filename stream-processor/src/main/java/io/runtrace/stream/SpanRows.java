package io.runtrace.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.runtrace.model.RunAttributes;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Maps an OTLP span and its resource to a {@link SpanRow}. */
final class SpanRows {
  private static final JsonFactory JSON = new JsonFactory();

  private SpanRows() {}

  static SpanRow toRow(Span span, Attributes attrs, Attributes resource) {
    return new SpanRow(
        pick(attrs, resource, RunAttributes.TENANT),
        pick(attrs, resource, RunAttributes.ENVIRONMENT),
        OtlpSpanDecoder.hex(span.getTraceId()),
        OtlpSpanDecoder.hex(span.getSpanId()),
        span.getParentSpanId().isEmpty() ? "" : OtlpSpanDecoder.hex(span.getParentSpanId()),
        pick(attrs, resource, RunAttributes.RUN_ID),
        pick(attrs, resource, RunAttributes.APP),
        pick(attrs, resource, RunAttributes.FUNCTION),
        attrs.get(RunAttributes.STEP),
        parseLong(attrs.get(RunAttributes.ATTEMPT)),
        span.getName(),
        kind(span.getKind()),
        resource.get("service.name"),
        span.getStartTimeUnixNano(),
        span.getEndTimeUnixNano(),
        status(span.getStatus().getCode()),
        span.getStatus().getMessage(),
        attrs.keys(),
        attrs.values(),
        resource.keys(),
        resource.values(),
        events(span),
        0,
        1,
        attrs.get(RunAttributes.RUN_STATUS),
        parseLong(attrs.get(RunAttributes.QUEUED_AT)),
        span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR ? errorMessage(span) : "");
  }

  /** The status message, else the first exception event's message, else the span name. */
  private static String errorMessage(Span span) {
    if (!span.getStatus().getMessage().isEmpty()) return span.getStatus().getMessage();
    for (Span.Event e : span.getEventsList()) {
      if (!"exception".equals(e.getName())) continue;
      for (KeyValue kv : e.getAttributesList()) {
        if ("exception.message".equals(kv.getKey())) return Attributes.asString(kv.getValue());
      }
    }
    return span.getName();
  }

  /** The span's own attribute wins over the resource's. */
  private static String pick(Attributes attrs, Attributes resource, String key) {
    String own = attrs.get(key);
    return own.isEmpty() ? resource.get(key) : own;
  }

  static long parseLong(String s) {
    if (s.isEmpty()) return 0;
    try {
      return Math.max(0, Long.parseLong(s.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String kind(Span.SpanKind kind) {
    return switch (kind) {
      case SPAN_KIND_INTERNAL -> "internal";
      case SPAN_KIND_SERVER -> "server";
      case SPAN_KIND_CLIENT -> "client";
      case SPAN_KIND_PRODUCER -> "producer";
      case SPAN_KIND_CONSUMER -> "consumer";
      default -> "unspecified";
    };
  }

  private static String status(Status.StatusCode code) {
    return switch (code) {
      case STATUS_CODE_OK -> "ok";
      case STATUS_CODE_ERROR -> "error";
      default -> "unset";
    };
  }

  /** Events as a JSON array: name, time_unix_nano and attributes. */
  private static String events(Span span) {
    if (span.getEventsCount() == 0) return "[]";
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (Span.Event e : span.getEventsList()) {
        g.writeStartObject();
        g.writeStringField("name", e.getName());
        g.writeNumberField("time_unix_nano", e.getTimeUnixNano());
        g.writeObjectFieldStart("attributes");
        for (KeyValue kv : e.getAttributesList()) {
          g.writeFieldName(kv.getKey());
          Attributes.write(g, kv.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }
}
