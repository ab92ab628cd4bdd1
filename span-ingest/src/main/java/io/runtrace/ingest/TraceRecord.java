package io.runtrace.ingest;

/**
 * One Kafka record: a serialized {@code ExportTraceServiceRequest} holding spans of exactly one
 * trace, keyed by the trace id as 32 lower-case hex characters.
 */
final class TraceRecord {
  final String key;
  final byte[] value;
  final int spans;
  /** True when the record carries a run root span (one with {@code runtrace.run.status}). */
  final boolean runRoot;
  /** Times a fatal producer error sent this record to a fresh producer; bounded by the sender. */
  volatile int recoveries;

  TraceRecord(String key, byte[] value, int spans, boolean runRoot) {
    this.key = key;
    this.value = value;
    this.spans = spans;
    this.runRoot = runRoot;
  }

  /** Bytes this record holds against the budget: key and value. */
  int bytes() {
    return key.length() + value.length;
  }
}
