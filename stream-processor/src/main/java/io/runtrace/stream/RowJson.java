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
  // Field names encoded once: writing them from String cost as much as writing the values.
  private static final SerializedString APP = new SerializedString("app");
  private static final SerializedString ATTEMPT = new SerializedString("attempt");
  private static final SerializedString ATTEMPTS = new SerializedString("attempts");
  private static final SerializedString ATTR_KEYS = new SerializedString("attr_keys");
  private static final SerializedString ATTR_VALUES = new SerializedString("attr_values");
  private static final SerializedString CREATED_UNIX_NANO = new SerializedString("created_unix_nano");
  private static final SerializedString DELETED = new SerializedString("deleted");
  private static final SerializedString END_UNIX_NANO = new SerializedString("end_unix_nano");
  private static final SerializedString ENDED_UNIX_NANO = new SerializedString("ended_unix_nano");
  private static final SerializedString ENVIRONMENT = new SerializedString("environment");
  private static final SerializedString ERROR = new SerializedString("error");
  private static final SerializedString ERROR_MESSAGE = new SerializedString("error_message");
  private static final SerializedString ERROR_SPAN_ID = new SerializedString("error_span_id");
  private static final SerializedString EVENTS = new SerializedString("events");
  private static final SerializedString FUNCTION = new SerializedString("function");
  private static final SerializedString KIND = new SerializedString("kind");
  private static final SerializedString LAST_SPAN_UNIX_NANO = new SerializedString("last_span_unix_nano");
  private static final SerializedString NAME = new SerializedString("name");
  private static final SerializedString PARENT_SPAN_ID = new SerializedString("parent_span_id");
  private static final SerializedString QUEUED_AT_UNIX_NANO = new SerializedString("queued_at_unix_nano");
  private static final SerializedString QUEUED_UNIX_NANO = new SerializedString("queued_unix_nano");
  private static final SerializedString RESOURCE_KEYS = new SerializedString("resource_keys");
  private static final SerializedString RESOURCE_VALUES = new SerializedString("resource_values");
  private static final SerializedString RUN_ID = new SerializedString("run_id");
  private static final SerializedString RUN_STATUS = new SerializedString("run_status");
  private static final SerializedString SERVICE = new SerializedString("service");
  private static final SerializedString SPAN_COUNT = new SerializedString("span_count");
  private static final SerializedString SPAN_ID = new SerializedString("span_id");
  private static final SerializedString STALE = new SerializedString("stale");
  private static final SerializedString START_UNIX_NANO = new SerializedString("start_unix_nano");
  private static final SerializedString STARTED_UNIX_NANO = new SerializedString("started_unix_nano");
  private static final SerializedString STATUS = new SerializedString("status");
  private static final SerializedString STATUS_CODE = new SerializedString("status_code");
  private static final SerializedString STATUS_MESSAGE = new SerializedString("status_message");
  private static final SerializedString STEP = new SerializedString("step");
  private static final SerializedString TENANT = new SerializedString("tenant");
  private static final SerializedString TRACE_ID = new SerializedString("trace_id");
  private static final SerializedString TRIMMED = new SerializedString("trimmed");
  private static final SerializedString UPDATED_UNIX_NANO = new SerializedString("updated_unix_nano");
  private static final SerializedString VERSION = new SerializedString("version");
  private static final SerializedString NEWLINE = new SerializedString("\n");
  /** How a {@code run_ids} row starts; the sink routes rows by it. Every other runs-topic row is a {@code run_list} row. */
  static final String RUN_ID_ROW_PREFIX = "{\"t\":\"run_id\"";
  private static final SerializedString T = new SerializedString("t");

  private RowJson() {}

  /** The spans as one value: one JSON object per line, each enriched from {@code run}. */
  static byte[] spans(List<SpanRow> spans, RunState run) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(spans.size() * 640);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.setRootValueSeparator(NEWLINE);
      for (SpanRow span : spans) write(g, span.enrich(run));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * A run version as the runs topic's value: its {@code run_list} row, a tombstone for every key
   * it was listed under before, and its {@code run_ids} row when it has a run id, a line each.
   */
  static byte[] runRecord(RunRow current, List<RunRow> tombstones) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(640 * (2 + tombstones.size()));
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.setRootValueSeparator(NEWLINE);
      write(g, current);
      for (RunRow t : tombstones) write(g, t);
      if (!current.runId().isEmpty()) writeRunId(g, current);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** One {@code run_list} row. */
  static byte[] run(RunRow r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(640);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      write(g, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, RunRow r) throws IOException {
    g.writeStartObject();
    g.writeFieldName(CREATED_UNIX_NANO);
    g.writeNumber(r.createdUnixNano());
    g.writeFieldName(TENANT);
    g.writeString(r.tenant());
    g.writeFieldName(ENVIRONMENT);
    g.writeString(r.environment());
    g.writeFieldName(RUN_ID);
    g.writeString(r.runId());
    g.writeFieldName(TRACE_ID);
    g.writeString(r.traceId());
    g.writeFieldName(APP);
    g.writeString(r.app());
    g.writeFieldName(FUNCTION);
    g.writeString(r.function());
    g.writeFieldName(STATUS);
    g.writeString(r.status());
    g.writeFieldName(STALE);
    g.writeNumber(r.stale());
    g.writeFieldName(QUEUED_UNIX_NANO);
    g.writeNumber(r.queuedUnixNano());
    g.writeFieldName(STARTED_UNIX_NANO);
    g.writeNumber(r.startedUnixNano());
    g.writeFieldName(ENDED_UNIX_NANO);
    g.writeNumber(r.endedUnixNano());
    g.writeFieldName(LAST_SPAN_UNIX_NANO);
    g.writeNumber(r.lastSpanUnixNano());
    g.writeFieldName(UPDATED_UNIX_NANO);
    g.writeNumber(r.updatedUnixNano());
    g.writeFieldName(SPAN_COUNT);
    g.writeNumber(r.spanCount());
    g.writeFieldName(ATTEMPTS);
    g.writeNumber(r.attempts());
    g.writeFieldName(ERROR);
    g.writeString(r.error());
    g.writeFieldName(ERROR_SPAN_ID);
    g.writeString(r.errorSpanId());
    g.writeFieldName(VERSION);
    g.writeNumber(r.version());
    g.writeFieldName(DELETED);
    g.writeNumber(r.deleted());
    g.writeEndObject();
  }

  /** The {@code run_ids} row of a version: {@link #RUN_ID_ROW_PREFIX}, then its partition's time. */
  private static void writeRunId(JsonGenerator g, RunRow r) throws IOException {
    g.writeStartObject();
    g.writeFieldName(T);
    g.writeString("run_id");
    g.writeFieldName(CREATED_UNIX_NANO);
    g.writeNumber(r.createdUnixNano());
    g.writeFieldName(TENANT);
    g.writeString(r.tenant());
    g.writeFieldName(RUN_ID);
    g.writeString(r.runId());
    g.writeFieldName(TRACE_ID);
    g.writeString(r.traceId());
    g.writeFieldName(ENVIRONMENT);
    g.writeString(r.environment());
    g.writeFieldName(VERSION);
    g.writeNumber(r.version());
    g.writeEndObject();
  }

  private static void write(JsonGenerator g, SpanRow s) throws IOException {
    g.writeStartObject();
    g.writeFieldName(START_UNIX_NANO);
      g.writeNumber(s.startUnixNano());
    g.writeFieldName(TENANT);
      g.writeString(s.tenant());
    g.writeFieldName(ENVIRONMENT);
      g.writeString(s.environment());
    g.writeFieldName(TRACE_ID);
      g.writeString(s.traceId());
    g.writeFieldName(SPAN_ID);
      g.writeString(s.spanId());
    g.writeFieldName(PARENT_SPAN_ID);
      g.writeString(s.parentSpanId());
    g.writeFieldName(RUN_ID);
      g.writeString(s.runId());
    g.writeFieldName(APP);
      g.writeString(s.app());
    g.writeFieldName(FUNCTION);
      g.writeString(s.function());
    g.writeFieldName(STEP);
      g.writeString(s.step());
    g.writeFieldName(ATTEMPT);
      g.writeNumber(s.attempt());
    g.writeFieldName(NAME);
      g.writeString(s.name());
    g.writeFieldName(KIND);
      g.writeString(s.kind());
    g.writeFieldName(SERVICE);
      g.writeString(s.service());
    g.writeFieldName(END_UNIX_NANO);
      g.writeNumber(s.endUnixNano());
    g.writeFieldName(STATUS_CODE);
      g.writeString(s.statusCode());
    g.writeFieldName(STATUS_MESSAGE);
      g.writeString(s.statusMessage());
    strings(g, ATTR_KEYS, s.attrKeys());
    strings(g, ATTR_VALUES, s.attrValues());
    strings(g, RESOURCE_KEYS, s.resourceKeys());
    strings(g, RESOURCE_VALUES, s.resourceValues());
    g.writeFieldName(EVENTS);
      g.writeString(s.events());
    g.writeFieldName(TRIMMED);
      g.writeNumber(s.trimmed());
    g.writeFieldName(VERSION);
      g.writeNumber(s.version());
    g.writeFieldName(RUN_STATUS);
      g.writeString(s.runStatus());
    g.writeFieldName(QUEUED_AT_UNIX_NANO);
      g.writeNumber(s.queuedAtUnixNano());
    g.writeFieldName(ERROR_MESSAGE);
      g.writeString(s.errorMessage());
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, SerializedString field, List<String> values) throws IOException {
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
