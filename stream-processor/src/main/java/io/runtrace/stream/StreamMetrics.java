package io.runtrace.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** Counters of run assembly, in Prometheus as {@code runtrace_stream_*}. */
final class StreamMetrics {
  final Counter spans;
  final Counter duplicateSpans;
  final Counter runVersions;
  final Counter rekeyed;
  final Counter staleRuns;
  final Counter runsClosed;
  final Counter runsDeleted;
  final Counter spansAfterClose;
  final Counter expiryFailures;
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);

  StreamMetrics(MeterRegistry registry) {
    spans = Counter.builder("runtrace.stream.spans").description("Spans merged into runs").register(registry);
    duplicateSpans = Counter.builder("runtrace.stream.spans.duplicate")
        .description("Spans seen before, which changed nothing").register(registry);
    runVersions = Counter.builder("runtrace.stream.run.versions")
        .description("Run versions emitted to the runs topic").register(registry);
    rekeyed = Counter.builder("runtrace.stream.spans.rekeyed")
        .description("Spans that arrived under another key and were re-sent keyed by trace id").register(registry);
    staleRuns = Counter.builder("runtrace.stream.runs.stale")
        .description("Runs marked stale: not terminal and silent for staleAfter").register(registry);
    runsClosed = Counter.builder("runtrace.stream.runs.closed")
        .description("Runs closed after their retention; later spans no longer change them").register(registry);
    runsDeleted = Counter.builder("runtrace.stream.runs.deleted")
        .description("Closed runs and plain traces deleted from the state store").register(registry);
    spansAfterClose = Counter.builder("runtrace.stream.spans.after.close")
        .description("Spans of closed runs: written as spans, the run record unchanged").register(registry);
    expiryFailures = Counter.builder("runtrace.stream.expiry.failures")
        .description("Runs the stale and retention check failed on (logged)").register(registry);
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLetters.put(reason, Counter.builder("runtrace.stream.dead.letters")
          .description("Records or spans sent to the dead-letter topic")
          .tag("reason", reason.wireName()).register(registry));
    }
  }

  void deadLetter(DeadLetterReason reason) {
    deadLetters.get(reason).increment();
  }
}
