package io.runtrace.ingest;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Calls {@code export()} on its own thread at a steady rate with fresh traces, remembering every
 * span id it emitted, the ids of batches the exporter accepted whole, and each call's latency.
 */
final class SteadyLoad implements AutoCloseable {
  private final SpanExporter exporter;
  private final int tracesPerBatch;
  private final int spansPerTrace;
  private final int payloadBytes;
  private final long pauseMillis;
  private final Thread thread;
  private final String prefix = String.format("%08x", ThreadLocalRandom.current().nextInt());
  final Set<String> emitted = ConcurrentHashMap.newKeySet();
  /** Span ids of batches whose export() succeeded: every span of them was taken into the budget. */
  final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private long[] latencies = new long[1 << 16];
  private int calls;
  private volatile boolean running = true;
  private long counter;

  SteadyLoad(SpanExporter exporter, int tracesPerBatch, int spansPerTrace, int payloadBytes, long pauseMillis) {
    this.exporter = exporter;
    this.tracesPerBatch = tracesPerBatch;
    this.spansPerTrace = spansPerTrace;
    this.payloadBytes = payloadBytes;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::run, "steady-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      List<SpanData> batch = batch();
      long start = System.nanoTime();
      boolean ok = exporter.export(batch).isSuccess();
      long took = System.nanoTime() - start;
      synchronized (this) {
        if (calls == latencies.length) latencies = Arrays.copyOf(latencies, calls * 2);
        latencies[calls++] = took;
      }
      for (SpanData s : batch) {
        emitted.add(s.getSpanId());
        if (ok) accepted.add(s.getSpanId());
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private List<SpanData> batch() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<SpanData> spans = new ArrayList<>();
    for (int t = 0; t < tracesPerBatch; t++) {
      String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
      for (int s = 0; s < spansPerTrace; s++) {
        byte[] payload = new byte[payloadBytes * 3 / 4];
        random.nextBytes(payload); // incompressible, so lz4 cannot hide the volume
        String spanId = prefix + String.format("%08x", counter++);
        spans.add(TestSpanData.builder()
            .setSpanContext(SpanContext.create(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault()))
            .setResource(TestSpans.RESOURCE).setInstrumentationScopeInfo(TestSpans.SCOPE)
            .setName("step-" + s).setKind(SpanKind.INTERNAL)
            .setStartEpochNanos(TestSpans.START).setEndEpochNanos(TestSpans.START + 1_000_000)
            .setAttributes(Attributes.of(AttributeKey.stringKey("payload"), Base64.getEncoder().encodeToString(payload)))
            .setTotalAttributeCount(1).setStatus(StatusData.unset()).setHasEnded(true).build());
      }
    }
    return spans;
  }

  /** The {@code q} quantile (0..1) of export() latency so far, in milliseconds. */
  synchronized double latencyMillis(double q) {
    if (calls == 0) return 0;
    long[] sorted = Arrays.copyOf(latencies, calls);
    Arrays.sort(sorted);
    return sorted[Math.min(calls - 1, (int) Math.ceil(q * calls) - 1)] / 1e6;
  }

  synchronized int calls() {
    return calls;
  }

  /** Stops emitting and waits for the thread. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(30_000);
  }
}
