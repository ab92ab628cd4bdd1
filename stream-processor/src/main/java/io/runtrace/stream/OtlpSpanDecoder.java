package io.runtrace.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one record of the spans topic (an OTLP {@code ExportTraceServiceRequest}) into span rows
 * grouped by trace id, and sets aside what can't be used, each with its reason. Never throws on
 * bad input other than a {@link DeadLetterException} for the whole record.
 */
final class OtlpSpanDecoder {
  static final long MIN_VALID_NANOS = 946_684_800_000_000_000L; // 2000-01-01T00:00:00Z
  static final long MAX_FUTURE_NANOS = 24L * 3600 * 1_000_000_000L;
  static final long MAX_DURATION_NANOS = 31L * 24 * 3600 * 1_000_000_000L;
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Rejected spans of one reason, as one request (encoded requests concatenate into one). */
  record Rejected(byte[] request, int spans) {}

  /** The parsed spans, rows by trace id (insertion order kept), and rejected spans per reason. */
  record Decoded(ExportTraceServiceRequest request, Map<String, List<SpanRow>> traces,
      Map<DeadLetterReason, Rejected> rejected) {}

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
    Map<DeadLetterReason, ByteArrayOutputStream> rejected = new EnumMap<>(DeadLetterReason.class);
    Map<DeadLetterReason, Integer> counts = new EnumMap<>(DeadLetterReason.class);
    ExportTraceServiceRequest request;
    try {
      request = ExportTraceServiceRequest.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      request = salvage(value, e, rejected, counts);
    }
    long maxStartNanos = maxStartNanos(recordTimestampMs);
    Map<String, List<SpanRow>> traces = new LinkedHashMap<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Attributes resourceAttrs = Attributes.of(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          DeadLetterReason reason = validate(span, maxStartNanos);
          if (reason != null) {
            add(rejected, counts, reason, ExportTraceServiceRequest.newBuilder().addResourceSpans(
                ResourceSpans.newBuilder().setResource(rs.getResource()).setSchemaUrl(rs.getSchemaUrl())
                    .addScopeSpans(ScopeSpans.newBuilder().setScope(ss.getScope()).setSchemaUrl(ss.getSchemaUrl())
                        .addSpans(span))).build().toByteArray());
            continue;
          }
          SpanRow row = SpanRows.toRow(span, Attributes.of(span.getAttributesList()), resourceAttrs);
          traces.computeIfAbsent(row.traceId(), k -> new ArrayList<>()).add(row);
        }
      }
    }
    Map<DeadLetterReason, Rejected> built = new LinkedHashMap<>();
    rejected.forEach((k, v) -> built.put(k, new Rejected(v.toByteArray(), counts.get(k))));
    return new Decoded(request, traces, built);
  }

  /** The latest start accepted for a record of this timestamp: a day ahead of it. */
  static long maxStartNanos(long recordTimestampMs) {
    return Math.max(recordTimestampMs, 0) * 1_000_000L + MAX_FUTURE_NANOS;
  }

  /**
   * Why a parsed span can't be used, or null. Strings need no check here: protobuf-java refuses
   * a proto3 message with a string that is not UTF-8, and {@link OtlpSalvage} sets those aside.
   */
  static DeadLetterReason validate(Span span, long maxStartNanos) {
    if (!validId(span.getTraceId(), 16)) return DeadLetterReason.MISSING_TRACE_ID;
    if (!validId(span.getSpanId(), 8)) return DeadLetterReason.MISSING_SPAN_ID;
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    if (start < MIN_VALID_NANOS || start > maxStartNanos || end < start || end - start > MAX_DURATION_NANOS) {
      return DeadLetterReason.ABSURD_TIMESTAMP;
    }
    return null;
  }

  /** Lower-case hex of an id; by table, as HexFormat cost a noticeable share of decoding. */
  static String hex(ByteString id) {
    byte[] out = new byte[id.size() * 2];
    for (int i = 0; i < id.size(); i++) {
      int b = id.byteAt(i) & 0xff;
      out[2 * i] = HEX_DIGITS[b >>> 4];
      out[2 * i + 1] = HEX_DIGITS[b & 0xf];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static ExportTraceServiceRequest salvage(byte[] value, InvalidProtocolBufferException cause,
      Map<DeadLetterReason, ByteArrayOutputStream> rejected, Map<DeadLetterReason, Integer> counts)
      throws DeadLetterException {
    OtlpSalvage.Salvaged s;
    try {
      s = OtlpSalvage.salvage(value);
    } catch (InvalidProtocolBufferException e) {
      throw new DeadLetterException(DeadLetterReason.UNDECODABLE, cause.getMessage());
    }
    if (s.invalidUtf8().isEmpty() && s.undecodable().isEmpty()) {
      throw new DeadLetterException(DeadLetterReason.UNDECODABLE, cause.getMessage());
    }
    s.invalidUtf8().forEach(r -> add(rejected, counts, DeadLetterReason.INVALID_UTF8, r));
    s.undecodable().forEach(r -> add(rejected, counts, DeadLetterReason.UNDECODABLE, r));
    return s.request();
  }

  private static void add(Map<DeadLetterReason, ByteArrayOutputStream> rejected, Map<DeadLetterReason, Integer> counts,
      DeadLetterReason reason, byte[] request) {
    rejected.computeIfAbsent(reason, r -> new ByteArrayOutputStream()).writeBytes(request);
    counts.merge(reason, 1, Integer::sum);
  }

  private static boolean validId(ByteString id, int length) {
    if (id.size() != length) return false;
    for (int i = 0; i < length; i++) if (id.byteAt(i) != 0) return true;
    return false;
  }
}
