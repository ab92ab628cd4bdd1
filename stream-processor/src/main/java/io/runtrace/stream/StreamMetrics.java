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
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);

  StreamMetrics(MeterRegistry registry) {
    spans = Counter.builder("runtrace.stream.spans").description("Spans merged into runs").register(registry);
    duplicateSpans = Counter.builder("runtrace.stream.spans.duplicate")
        .description("Spans seen before, which changed nothing").register(registry);
    runVersions = Counter.builder("runtrace.stream.run.versions")
        .description("Run versions emitted to the runs topic").register(registry);
    rekeyed = Counter.builder("runtrace.stream.spans.rekeyed")
        .description("Spans that arrived under another key and were re-sent keyed by trace id").register(registry);
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
