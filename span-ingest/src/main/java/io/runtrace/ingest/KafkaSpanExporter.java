package io.runtrace.ingest;

import io.opentelemetry.api.common.AttributeKey;
import io.runtrace.model.RunAttributes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.runtrace.ingest.IngestMetrics.DropReason;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenTelemetry {@link SpanExporter} that writes spans to Kafka as OTLP protobuf, one trace per
 * record, keyed by the trace id in hex. {@link #export} never blocks on Kafka: it serializes, holds
 * the records within a byte budget and returns; spans that do not fit are dropped and counted.
 * Exporters with equal Kafka settings share one producer per process.
 */
public final class KafkaSpanExporter implements SpanExporter {
  private static final System.Logger LOG = System.getLogger(KafkaSpanExporter.class.getName());
  /** export() sheds early when less than this (or maxRecordBytes, if smaller) is free: 64 KiB. */
  static final int SHED_THRESHOLD_BYTES = 64 * 1024;

  private final SharedProducer producer;
  private final TraceRecordBatcher batcher;
  private final Duration flushTimeout;
  private final AtomicBoolean shutdown = new AtomicBoolean();
  private static final AttributeKey<String> RUN_STATUS = AttributeKey.stringKey(RunAttributes.RUN_STATUS);
  /** Below this many free ordinary bytes, export() sheds a batch before converting it. */
  private final long shedThreshold;

  private KafkaSpanExporter(KafkaSettings settings) {
    this.producer = SharedProducer.acquire(settings.producerSettings());
    this.batcher = new TraceRecordBatcher(settings.maxRecordBytes);
    this.flushTimeout = settings.flushTimeout;
    this.shedThreshold = Math.min(settings.maxRecordBytes, SHED_THRESHOLD_BYTES);
    producer.metrics.bindTo(settings.meterRegistry != null ? settings.meterRegistry : new SimpleMeterRegistry());
  }

  /** A builder; {@link Builder#bootstrapServers} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown.get()) return CompletableResultCode.ofFailure();
    int shedEarly = 0;
    if (!producer.budget.wouldFit(shedThreshold)) {
      // The ordinary share is full (Kafka slow or down): shed before spending the caller's CPU on
      // converting spans that cannot be kept; run roots still go on to the reserved share.
      List<SpanData> runRoots = new java.util.ArrayList<>();
      for (SpanData span : spans) {
        if (isRunRoot(span)) runRoots.add(span);
      }
      shedEarly = spans.size() - runRoots.size();
      producer.metrics.dropped(DropReason.BUFFER_FULL, shedEarly);
      if (runRoots.isEmpty()) return CompletableResultCode.ofFailure();
      spans = runRoots;
    }
    try {
      AtomicInteger unserializable = new AtomicInteger();
      List<ResourceSpans> otlp =
          SpanDataToOtlp.toResourceSpans(
              spans,
              (span, e) -> {
                if (unserializable.getAndIncrement() == 0) LOG.log(Level.WARNING, "Span " + span.getName() + " could not be converted", e);
              });
      producer.metrics.dropped(DropReason.UNSERIALIZABLE, unserializable.get());
      return offer(batcher.batch(otlp), producer) == 0 && unserializable.get() == 0 && shedEarly == 0
          ? CompletableResultCode.ofSuccess()
          : CompletableResultCode.ofFailure();
    } catch (RuntimeException e) {
      producer.metrics.dropped(DropReason.UNSERIALIZABLE, spans.size());
      LOG.log(Level.WARNING, "Could not export " + spans.size() + " spans", e);
      return CompletableResultCode.ofFailure();
    }
  }

  private static boolean isRunRoot(SpanData span) {
    if (span.getAttributes().get(RUN_STATUS) != null) return true;
    boolean[] found = {false};
    span.getAttributes().forEach((k, v) -> found[0] |= k.getKey().equals(RunAttributes.RUN_STATUS));
    return found[0];
  }

  /** Offers every record of {@code batch}, counting every span dropped on the way; returns how many were. */
  static long offer(TraceRecordBatcher.Result batch, SharedProducer producer) {
    producer.metrics.dropped(DropReason.TOO_LARGE, batch.tooLargeSpans);
    producer.metrics.dropped(DropReason.INVALID, batch.invalidSpans);
    producer.metrics.trimmed.add(batch.trimmedSpans);
    long dropped = batch.tooLargeSpans + batch.invalidSpans;
    for (TraceRecord record : batch.records) {
      if (!producer.offer(record)) {
        dropped += record.spans;
        batch.rejections.add("trace " + record.key + ": " + record.spans + " spans, buffer full");
      }
    }
    return dropped;
  }

  /** Completes when every held span is acknowledged by Kafka, or fails after the flush timeout. */
  @Override
  public CompletableResultCode flush() {
    return inBackground("runtrace-span-flush", () -> producer.flush(flushTimeout));
  }

  /** Flushes within the flush timeout, then releases the shared producer; spans still held are counted as dropped. */
  @Override
  public CompletableResultCode shutdown() {
    if (!shutdown.compareAndSet(false, true)) return CompletableResultCode.ofSuccess();
    return inBackground("runtrace-span-shutdown", () -> producer.release(flushTimeout));
  }

  private static CompletableResultCode inBackground(String name, java.util.function.BooleanSupplier task) {
    CompletableResultCode result = new CompletableResultCode();
    Thread t = new Thread(() -> {
      if (task.getAsBoolean()) result.succeed();
      else result.fail();
    }, name);
    t.setDaemon(true);
    t.start();
    return result;
  }

  @Override
  public String toString() {
    return "KafkaSpanExporter{topic=" + producer.settings.topic() + ", bootstrapServers=" + producer.settings.bootstrapServers() + "}";
  }

  /** Builds a {@link KafkaSpanExporter}; every setting but {@link #bootstrapServers} has a default. */
  public static final class Builder extends KafkaSettings.Builder<Builder> {
    private Builder() {}

    /** Validates the settings, naming the one at fault, and builds the exporter; does not connect to Kafka. */
    public KafkaSpanExporter build() {
      return new KafkaSpanExporter(settings());
    }
  }
}
