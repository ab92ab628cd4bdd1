package io.runtrace.ingest;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * Cuts a span that alone would exceed a record: events, links and every attribute outside the
 * {@code runtrace.} namespace go, and {@code runtrace.trimmed=true} marks what happened. Run
 * identity and status survive, so a trimmed run span still assembles its run.
 */
final class SpanTrimmer {
  /** The attribute set on every trimmed span. */
  static final String TRIMMED = "runtrace.trimmed";
  private static final String KEEP_PREFIX = "runtrace.";
  /** A kept attribute value longer than this (in characters) is cut too. */
  static final int MAX_KEPT_VALUE_CHARS = 256;
  /** Names and status messages are cut to this many characters. */
  static final int MAX_TEXT_CHARS = 1024;

  private SpanTrimmer() {}

  static Span trim(Span span) {
    Span.Builder b = span.toBuilder().clearEvents().clearLinks().clearAttributes()
        .setDroppedEventsCount(span.getDroppedEventsCount() + span.getEventsCount())
        .setDroppedLinksCount(span.getDroppedLinksCount() + span.getLinksCount())
        .setName(cut(span.getName(), MAX_TEXT_CHARS));
    if (span.hasStatus()) b.setStatus(span.getStatus().toBuilder().setMessage(cut(span.getStatus().getMessage(), MAX_TEXT_CHARS)));
    int dropped = 0;
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().startsWith(KEEP_PREFIX) && kv.getKey().length() <= MAX_KEPT_VALUE_CHARS && small(kv.getValue())) {
        b.addAttributes(kv);
      } else {
        dropped++;
      }
    }
    b.addAttributes(KeyValue.newBuilder().setKey(TRIMMED).setValue(AnyValue.newBuilder().setBoolValue(true)));
    return b.setDroppedAttributesCount(span.getDroppedAttributesCount() + dropped).build();
  }

  private static boolean small(AnyValue v) {
    if (v.hasStringValue()) return v.getStringValue().length() <= MAX_KEPT_VALUE_CHARS;
    return !v.hasArrayValue() && !v.hasKvlistValue() && !v.hasBytesValue();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
