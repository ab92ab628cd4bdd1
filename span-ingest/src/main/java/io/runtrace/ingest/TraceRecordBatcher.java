package io.runtrace.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.runtrace.model.RunAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Regroups OTLP spans by trace id, keeping their resource and scope grouping, into records of at
 * most {@code maxRecordBytes} each; a trace with more spans is split into several records.
 */
final class TraceRecordBatcher {
  private final int maxRecordBytes;
  // Upper bound of a container's length prefix: no container is larger than the record.
  private final int frame;

  TraceRecordBatcher(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
    this.frame = 1 + CodedOutputStream.computeUInt32SizeNoTag(maxRecordBytes);
  }

  /** Records plus the spans that could not go into any: too large even trimmed, or without a valid trace id. */
  static final class Result {
    final List<TraceRecord> records = new ArrayList<>();
    int tooLargeSpans;
    int invalidSpans;
    /** Spans that went in trimmed ({@link SpanTrimmer}). */
    int trimmedSpans;
    /** Ids and reasons of the first rejected spans, for partial-success replies; bounded. */
    final Rejections rejections = new Rejections();
  }

  private static final class Entry {
    final int resource;
    final int scope;
    final Span span;

    Entry(int resource, int scope, Span span) {
      this.resource = resource;
      this.scope = scope;
      this.span = span;
    }
  }

  Result batch(List<ResourceSpans> input) {
    List<ResourceSpans> resources = new ArrayList<>();
    List<ScopeSpans> scopes = new ArrayList<>();
    Map<ByteString, List<Entry>> traces = new LinkedHashMap<>();
    Result result = new Result();
    for (ResourceSpans rs : input) {
      int r = resources.size();
      resources.add(rs.toBuilder().clearScopeSpans().build());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        int s = scopes.size();
        scopes.add(ss.toBuilder().clearSpans().build());
        for (Span span : ss.getSpansList()) {
          if (span.getTraceId().size() != 16) {
            result.invalidSpans++;
            result.rejections.add("span " + hex(span.getSpanId()) + ": invalid trace id");
            continue;
          }
          traces.computeIfAbsent(span.getTraceId(), k -> new ArrayList<>()).add(new Entry(r, s, span));
        }
      }
    }
    traces.forEach((traceId, entries) -> split(hex(traceId), entries, resources, scopes, result));
    return result;
  }

  private void split(String key, List<Entry> entries, List<ResourceSpans> resources, List<ScopeSpans> scopes, Result result) {
    Map<Integer, Map<Integer, List<Span>>> current = new LinkedHashMap<>();
    long size = 0;
    int spans = 0;
    boolean runRoot = false;
    for (Entry e : entries) {
      Span span = e.span;
      long spanCost = CodedOutputStream.computeMessageSize(2, span);
      long resourceCost = frame + resources.get(e.resource).getSerializedSize();
      long scopeCost = frame + scopes.get(e.scope).getSerializedSize();
      if (resourceCost + scopeCost + spanCost > maxRecordBytes) {
        span = SpanTrimmer.trim(span);
        spanCost = CodedOutputStream.computeMessageSize(2, span);
        if (resourceCost + scopeCost + spanCost > maxRecordBytes) {
          result.tooLargeSpans++;
          result.rejections.add("span " + hex(span.getSpanId()) + ": too large");
          continue;
        }
        result.trimmedSpans++;
      }
      Map<Integer, List<Span>> inResource = current.get(e.resource);
      long added = spanCost + (inResource == null ? resourceCost + scopeCost : inResource.containsKey(e.scope) ? 0 : scopeCost);
      if (size + added > maxRecordBytes) {
        result.records.add(record(key, current, resources, scopes, spans, runRoot));
        current = new LinkedHashMap<>();
        size = 0;
        spans = 0;
        runRoot = false;
        added = resourceCost + scopeCost + spanCost;
      }
      current.computeIfAbsent(e.resource, k -> new LinkedHashMap<>()).computeIfAbsent(e.scope, k -> new ArrayList<>()).add(span);
      size += added;
      spans++;
      runRoot |= isRunRoot(span);
    }
    if (spans > 0) result.records.add(record(key, current, resources, scopes, spans, runRoot));
  }

  private static TraceRecord record(
      String key, Map<Integer, Map<Integer, List<Span>>> grouped, List<ResourceSpans> resources, List<ScopeSpans> scopes, int spans, boolean runRoot) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    grouped.forEach(
        (r, byScope) -> {
          ResourceSpans.Builder rs = resources.get(r).toBuilder();
          byScope.forEach((s, list) -> rs.addScopeSpans(scopes.get(s).toBuilder().addAllSpans(list)));
          request.addResourceSpans(rs);
        });
    return new TraceRecord(key, request.build().toByteArray(), spans, runRoot);
  }

  static boolean isRunRoot(Span span) {
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals(RunAttributes.RUN_STATUS)) return true;
    }
    return false;
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String hex(ByteString bytes) {
    char[] out = new char[bytes.size() * 2];
    for (int i = 0; i < bytes.size(); i++) {
      int b = bytes.byteAt(i) & 0xff;
      out[2 * i] = HEX[b >>> 4];
      out[2 * i + 1] = HEX[b & 0xf];
    }
    return new String(out);
  }
}
