package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Several generated runs, their spans duplicated, shuffled together and packed several to a
 * record (under the first span's trace id, or a foreign key, so some are re-keyed), give through
 * the real topology the same run records as each run's spans merged in order. The seed is
 * printed on failure; rerun one with {@code -Druntrace.seed=<seed>}.
 */
class RunAssemblyPropertyTest {
  static final int CASES = 20;
  static final Instant NOW = Instant.ofEpochMilli(T0 / MS + 60_000);

  @Test
  void givenInterleavedShuffledDuplicatedRuns_whenAssembledByTheTopology_thenEachRunRecordIsAsInOrder() {
    long seed = Long.getLong("runtrace.seed", System.nanoTime());
    Random random = new Random(seed);
    // One driver for all cases (trace ids differ per case). The driver commits, and so flushes
    // RocksDB, after every record: about 4 ms a record, so the many cases run at RunState level.
    try (TopologyFixture fx = new TopologyFixture(NOW, 1024 * 1024, Duration.ofMinutes(15), Duration.ofHours(24))) {
      for (int c = 0; c < CASES; c++) {
        check(fx, seed, random.nextLong());
      }
    }
  }

  private static void check(TopologyFixture fx, long seed, long caseSeed) {
    Random r = new Random(caseSeed);
    Map<String, RunRow> expected = new LinkedHashMap<>();
    List<Span> all = new ArrayList<>();
    int runs = 2 + r.nextInt(4);
    for (int i = 0; i < runs; i++) {
      String traceId = String.format("%016x%016x", caseSeed, i + 1L);
      List<Span> spans = RandomRuns.run(r, traceId);
      expected.put(traceId, RandomRuns.visible(RunStatePropertyTest.assemble(RunStatePropertyTest.rows(spans))));
      all.addAll(spans);
    }
    List<Span> input = RandomRuns.shuffledWithDuplicates(r, all);
    for (int i = 0; i < input.size(); ) {
      List<Span> chunk = input.subList(i, Math.min(input.size(), i + 1 + r.nextInt(4)));
      String key = r.nextInt(10) == 0 ? "collector-key" : OtlpSpanDecoder.hex(chunk.get(0).getTraceId());
      fx.send(key, TestSpans.request(chunk), NOW);
      i += chunk.size();
    }
    Map<String, RunRow> actual = new LinkedHashMap<>();
    fx.latestRuns().forEach((t, row) -> actual.put(t, RandomRuns.visible(row)));
    assertThat(actual).as("seed %d, case seed %d", seed, caseSeed).isEqualTo(expected);
    assertThat(fx.deadLetters.isEmpty()).isTrue();
  }
}
