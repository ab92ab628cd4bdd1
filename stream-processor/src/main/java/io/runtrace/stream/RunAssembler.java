package io.runtrace.stream;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decodes a spans record, merges its spans into their run's state, and emits the new spans
 * (enriched with run identity) and the run's new version. Bad spans go to the dead letters, and
 * so does a record whose processing threw, so no input stops the stream thread. A wall-clock
 * punctuator marks silent runs stale and bounds the store ({@link RunExpiryPunctuator}).
 */
final class RunAssembler implements Processor<byte[], byte[], byte[], byte[]> {
  static final String HEADER_REASON = "runtrace.dlq.reason";
  static final String HEADER_DETAIL = "runtrace.dlq.detail";
  static final String HEADER_SOURCE = "runtrace.dlq.source";
  private static final System.Logger LOG = System.getLogger(RunAssembler.class.getName());

  private final OtlpSpanDecoder decoder;
  private final StreamMetrics metrics;
  private final RunExpiry expiry;
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, RunState> store;
  private KeyValueStore<Bytes, byte[]> index;

  RunAssembler(int maxRecordBytes, RunExpiry expiry, StreamMetrics metrics) {
    this.decoder = new OtlpSpanDecoder(maxRecordBytes);
    this.expiry = expiry;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(RunAssemblyTopology.RUN_STORE);
    this.index = context.getStateStore(RunAssemblyTopology.EXPIRY_INDEX);
    context.schedule(expiry.interval, PunctuationType.WALL_CLOCK_TIME,
        new RunExpiryPunctuator(expiry, store, index, metrics, this::emitRun));
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    expiry.observe(record.timestamp(), context.currentSystemTimeMs());
    try {
      processRecord(record);
    } catch (StreamsException e) {
      throw e; // the store or the producer failed: Streams must handle it, not the dead letters
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Processing threw; the record goes to the dead letters", e);
      deadLetter(record.key(), record.value(), DeadLetterReason.PROCESSING_ERROR, e.toString(), record.timestamp());
    }
  }

  private void processRecord(Record<byte[], byte[]> record) {
    OtlpSpanDecoder.Decoded decoded;
    try {
      decoded = decoder.decode(record.value(), record.timestamp());
    } catch (DeadLetterException e) {
      deadLetter(record.key(), record.value(), e.reason, e.getMessage(), record.timestamp());
      return;
    }
    decoded.rejected().forEach((reason, rejected) -> deadLetter(record.key(), rejected.request(), reason,
        reason.wireName() + ": " + rejected.spans() + " span(s)", record.timestamp()));
    String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    for (Map.Entry<String, List<SpanRow>> trace : decoded.traces().entrySet()) {
      if (!trace.getKey().equals(key)) {
        rekey(trace.getKey(), trace.getValue(), decoded.request(), record);
      } else {
        assemble(trace.getKey(), trace.getValue(), record.timestamp());
      }
    }
  }

  private void assemble(String traceId, List<SpanRow> spans, long timestamp) {
    RunState state = store.get(traceId);
    if (state == null) state = new RunState();
    if (state.closed) {
      // Past retention the span ids are gone, so a span can't be told from a duplicate: the
      // spans are written (the spans table dedups them), the run's record stays as it was.
      forwardSpans(traceId, spans, state, timestamp);
      metrics.spansAfterClose.increment(spans.size());
      return;
    }
    boolean changed = false;
    for (SpanRow span : spans) {
      if (!state.merge(span)) {
        metrics.duplicateSpans.increment();
        continue;
      }
      changed = true;
    }
    if (!changed) return;
    state.lastRecordMs = Math.max(state.lastRecordMs, timestamp);
    // Enrich after the whole batch merged, so a step span sees the run span that came with it.
    forwardSpans(traceId, spans, state, timestamp);
    metrics.spans.increment(spans.size());
    if (!state.runId().isEmpty()) emitRun(traceId, state, timestamp);
    expiry.reindex(index, traceId, state);
    store.put(traceId, state);
  }

  /**
   * One record for the spans of one trace in one input record: newline-separated JSON rows.
   * A record per span cost ten times the producer, broker and sink work for the same rows.
   */
  private void forwardSpans(String traceId, List<SpanRow> spans, RunState state, long timestamp) {
    context.forward(new Record<>(bytes(traceId), RowJson.spans(spans, state), timestamp),
        RunAssemblyTopology.ENRICHED_SINK);
  }

  private void emitRun(String traceId, RunState state, long timestamp) {
    if (state.runId().isEmpty()) return;
    state.revision++;
    RunRow row = state.toRow(context.currentSystemTimeMs() * 1_000_000L);
    context.forward(new Record<>(bytes(traceId), RowJson.runRecord(row, state.relist(row)), timestamp),
        RunAssemblyTopology.RUNS_SINK);
    metrics.runVersions.increment();
  }

  /** Spans that arrived under another key go back to the spans topic keyed by their trace id. */
  private void rekey(String traceId, List<SpanRow> spans, ExportTraceServiceRequest all, Record<byte[], byte[]> record) {
    long maxStart = OtlpSpanDecoder.maxStartNanos(record.timestamp());
    ExportTraceServiceRequest.Builder only = ExportTraceServiceRequest.newBuilder();
    for (ResourceSpans rs : all.getResourceSpansList()) {
      ResourceSpans.Builder rb = rs.toBuilder().clearScopeSpans();
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder sb = ss.toBuilder().clearSpans();
        for (Span s : ss.getSpansList()) {
          // Only what passed: a rejected span is dead-lettered here, not again after the re-send.
          if (OtlpSpanDecoder.hex(s.getTraceId()).equals(traceId) && OtlpSpanDecoder.validate(s, maxStart) == null) {
            sb.addSpans(s);
          }
        }
        if (sb.getSpansCount() > 0) rb.addScopeSpans(sb);
      }
      if (rb.getScopeSpansCount() > 0) only.addResourceSpans(rb);
    }
    metrics.rekeyed.increment(spans.size());
    context.forward(new Record<>(traceId.getBytes(StandardCharsets.UTF_8), only.build().toByteArray(),
        record.timestamp()), RunAssemblyTopology.REKEY_SINK);
  }

  private void deadLetter(byte[] key, byte[] value, DeadLetterReason reason, String detail, long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_REASON, reason.wireName().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_DETAIL, truncate(detail).getBytes(StandardCharsets.UTF_8));
    context.recordMetadata().ifPresent(m -> headers.add(HEADER_SOURCE,
        (m.topic() + "-" + m.partition() + "@" + m.offset()).getBytes(StandardCharsets.UTF_8)));
    metrics.deadLetter(reason);
    context.forward(new Record<>(key, value, timestamp, headers), RunAssemblyTopology.DEAD_LETTER_SINK);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String truncate(String s) {
    return s == null ? "" : s.length() <= 500 ? s : s.substring(0, 500);
  }
}
