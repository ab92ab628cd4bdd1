package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * For generated runs, every shuffle and duplication of a run's spans gives the same run record.
 * The seed is printed on failure; rerun one with {@code -Druntrace.seed=<seed>}.
 */
class RunStatePropertyTest {
  static final int RUNS = 500;
  static final int SHUFFLES = 20;

  @Test
  void givenGeneratedRuns_whenSpansAreShuffledAndDuplicated_thenTheRunRecordIsIdentical() {
    long seed = Long.getLong("runtrace.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int i = 0; i < RUNS; i++) {
      long caseSeed = random.nextLong();
      Random r = new Random(caseSeed);
      List<SpanRow> spans = rows(RandomRuns.run(r, String.format("%032x", i + 1)));
      RunRow expected = RandomRuns.visible(assemble(spans));
      for (int j = 0; j < SHUFFLES; j++) {
        List<SpanRow> shuffled = RandomRuns.shuffledWithDuplicates(r, spans);
        assertThat(RandomRuns.visible(assemble(shuffled)))
            .as("seed %d, case seed %d, order %s", seed, caseSeed, shuffled.stream().map(SpanRow::name).toList())
            .isEqualTo(expected);
      }
    }
  }

  static List<SpanRow> rows(List<Span> spans) {
    Attributes resource = Attributes.of(List.of(TestSpans.kv("service.name", "executor")));
    return spans.stream().map(s -> SpanRows.toRow(s, Attributes.of(s.getAttributesList()), resource)).toList();
  }

  static RunRow assemble(List<SpanRow> spans) {
    RunState state = new RunState();
    for (SpanRow s : spans) state.merge(s);
    return state.toRow(0);
  }
}
