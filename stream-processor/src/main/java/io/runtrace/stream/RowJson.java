package io.runtrace.stream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes {@link SpanRow} and {@link RunRow} as JSONEachRow lines with a streaming generator,
 * field by field: reflective bean serialization was the topology's largest Java cost. The
 * partition key's time field comes first, so the sink finds a row's day in its first bytes.
 * Field names are the record components in snake case, as {@link Json} reads them back.
 */
final class RowJson {
  private RowJson() {}

  /** The spans as one value: one JSON object per line, each enriched from {@code run}. */
  static byte[] spans(List<SpanRow> spans, RunState run) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(spans.size() * 640);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.setRootValueSeparator(new SerializedString("\n"));
      for (SpanRow span : spans) write(g, span.enrich(run));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] run(RunRow r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(640);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("created_unix_nano", r.createdUnixNano());
      g.writeStringField("tenant", r.tenant());
      g.writeStringField("environment", r.environment());
      g.writeStringField("run_id", r.runId());
      g.writeStringField("trace_id", r.traceId());
      g.writeStringField("app", r.app());
      g.writeStringField("function", r.function());
      g.writeStringField("status", r.status());
      g.writeNumberField("stale", r.stale());
      g.writeNumberField("queued_unix_nano", r.queuedUnixNano());
      g.writeNumberField("started_unix_nano", r.startedUnixNano());
      g.writeNumberField("ended_unix_nano", r.endedUnixNano());
      g.writeNumberField("last_span_unix_nano", r.lastSpanUnixNano());
      g.writeNumberField("updated_unix_nano", r.updatedUnixNano());
      g.writeNumberField("span_count", r.spanCount());
      g.writeNumberField("attempts", r.attempts());
      g.writeStringField("error", r.error());
      g.writeStringField("error_span_id", r.errorSpanId());
      g.writeNumberField("version", r.version());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, SpanRow s) throws IOException {
    g.writeStartObject();
    g.writeNumberField("start_unix_nano", s.startUnixNano());
    g.writeStringField("tenant", s.tenant());
    g.writeStringField("environment", s.environment());
    g.writeStringField("trace_id", s.traceId());
    g.writeStringField("span_id", s.spanId());
    g.writeStringField("parent_span_id", s.parentSpanId());
    g.writeStringField("run_id", s.runId());
    g.writeStringField("app", s.app());
    g.writeStringField("function", s.function());
    g.writeStringField("step", s.step());
    g.writeNumberField("attempt", s.attempt());
    g.writeStringField("name", s.name());
    g.writeStringField("kind", s.kind());
    g.writeStringField("service", s.service());
    g.writeNumberField("end_unix_nano", s.endUnixNano());
    g.writeStringField("status_code", s.statusCode());
    g.writeStringField("status_message", s.statusMessage());
    strings(g, "attr_keys", s.attrKeys());
    strings(g, "attr_values", s.attrValues());
    strings(g, "resource_keys", s.resourceKeys());
    strings(g, "resource_values", s.resourceValues());
    g.writeStringField("events", s.events());
    g.writeNumberField("trimmed", s.trimmed());
    g.writeNumberField("version", s.version());
    g.writeStringField("run_status", s.runStatus());
    g.writeNumberField("queued_at_unix_nano", s.queuedAtUnixNano());
    g.writeStringField("error_message", s.errorMessage());
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
    g.writeFieldName(field);
    if (values == null) {
      g.writeNull();
      return;
    }
    g.writeStartArray();
    for (String v : values) g.writeString(v);
    g.writeEndArray();
  }
}
