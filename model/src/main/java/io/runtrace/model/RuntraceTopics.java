package io.runtrace.model;

/** Default Kafka topic names; every component lets you override them. */
public final class RuntraceTopics {
  /** OTLP protobuf {@code ExportTraceServiceRequest}s keyed by trace id (32 hex chars). */
  public static final String SPANS = "runtrace.spans";
  /** One JSON row per span, ready for the ClickHouse {@code spans} table; keyed by trace id. */
  public static final String SPANS_ENRICHED = "runtrace.spans.enriched";
  /** Compacted: the latest JSON row per run for the {@code runs} table; keyed by trace id. */
  public static final String RUNS = "runtrace.runs";
  /** Records the processor could not use, with the reason in headers. */
  public static final String DEAD_LETTER = "runtrace.dead-letter";

  private RuntraceTopics() {}
}
