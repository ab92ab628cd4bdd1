package io.runtrace.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one record of the spans topic (an OTLP {@code ExportTraceServiceRequest}) into span rows
 * grouped by trace id, and sets aside what can't be used, each with its reason. Never throws on
 * bad input.
 */
final class OtlpSpanDecoder {
  static final long MIN_VALID_NANOS = 946_684_800_000_000_000L; // 2000-01-01T00:00:00Z
  static final long MAX_FUTURE_NANOS = 24L * 3600 * 1_000_000_000L;
  static final long MAX_DURATION_NANOS = 31L * 24 * 3600 * 1_000_000_000L;
  private static final HexFormat HEX = HexFormat.of();

  /** Rows by trace id (insertion order kept), and rejected spans re-encoded per reason. */
  record Decoded(Map<String, List<SpanRow>> traces, Map<DeadLetterReason, ExportTraceServiceRequest> rejected) {}

  private final int maxRecordBytes;

  OtlpSpanDecoder(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Decodes a record; a whole-record failure is a {@link DeadLetterException}. */
  Decoded decode(byte[] value, long recordTimestampMs) throws DeadLetterException {
    if (value == null || value.length == 0) throw new DeadLetterException(DeadLetterReason.UNDECODABLE, "empty record");
    if (value.length > maxRecordBytes) {
      throw new DeadLetterException(DeadLetterReason.OVERSIZE, value.length + " bytes > " + maxRecordBytes);
    }
    ExportTraceServiceRequest request;
    try {
      request = ExportTraceServiceRequest.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new DeadLetterException(DeadLetterReason.UNDECODABLE, e.getMessage());
    }
    long maxStartNanos = Math.max(recordTimestampMs, 0) * 1_000_000L + MAX_FUTURE_NANOS;
    Map<String, List<SpanRow>> traces = new LinkedHashMap<>();
    Map<DeadLetterReason, ExportTraceServiceRequest.Builder> rejected = new LinkedHashMap<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Resource resource = rs.getResource();
      boolean resourceUtf8 = validUtf8(resource.getAttributesList());
      Attributes resourceAttrs = Attributes.of(resource.getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          DeadLetterReason reason = resourceUtf8 ? validate(span, maxStartNanos) : DeadLetterReason.INVALID_UTF8;
          if (reason != null) {
            reject(rejected, reason, rs, ss, span);
            continue;
          }
          SpanRow row = SpanRows.toRow(span, Attributes.of(span.getAttributesList()), resourceAttrs);
          traces.computeIfAbsent(row.traceId(), k -> new ArrayList<>()).add(row);
        }
      }
    }
    Map<DeadLetterReason, ExportTraceServiceRequest> built = new LinkedHashMap<>();
    rejected.forEach((k, v) -> built.put(k, v.build()));
    return new Decoded(traces, built);
  }

  static DeadLetterReason validate(Span span, long maxStartNanos) {
    if (!validId(span.getTraceId(), 16)) return DeadLetterReason.MISSING_TRACE_ID;
    if (!validId(span.getSpanId(), 8)) return DeadLetterReason.MISSING_SPAN_ID;
    if (!span.getNameBytes().isValidUtf8()
        || !span.getStatus().getMessageBytes().isValidUtf8()
        || !validUtf8(span.getAttributesList())
        || span.getEventsList().stream().anyMatch(e -> !e.getNameBytes().isValidUtf8() || !validUtf8(e.getAttributesList()))) {
      return DeadLetterReason.INVALID_UTF8;
    }
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    if (start < MIN_VALID_NANOS || start > maxStartNanos || end < start || end - start > MAX_DURATION_NANOS) {
      return DeadLetterReason.ABSURD_TIMESTAMP;
    }
    return null;
  }

  static String hex(ByteString id) {
    return HEX.formatHex(id.toByteArray());
  }

  private static boolean validId(ByteString id, int length) {
    if (id.size() != length) return false;
    for (int i = 0; i < length; i++) if (id.byteAt(i) != 0) return true;
    return false;
  }

  private static boolean validUtf8(List<KeyValue> attributes) {
    for (KeyValue kv : attributes) {
      if (!kv.getKeyBytes().isValidUtf8()) return false;
      if (kv.getValue().hasStringValue() && !kv.getValue().getStringValueBytes().isValidUtf8()) return false;
    }
    return true;
  }

  private static void reject(Map<DeadLetterReason, ExportTraceServiceRequest.Builder> rejected,
      DeadLetterReason reason, ResourceSpans rs, ScopeSpans ss, Span span) {
    rejected.computeIfAbsent(reason, r -> ExportTraceServiceRequest.newBuilder())
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(rs.getResource())
            .setSchemaUrl(rs.getSchemaUrl())
            .addScopeSpans(ScopeSpans.newBuilder().setScope(ss.getScope()).setSchemaUrl(ss.getSchemaUrl()).addSpans(span)));
  }
}
