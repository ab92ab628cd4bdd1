package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.kv;
import static io.runtrace.stream.TestSpans.span;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.runtrace.model.RunAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Generates the spans of plausible runs: queued markers, steps with retries and nested child
 * spans, sleeps, and every outcome (completed, failed, cancelled, timed out, still running,
 * a late cancel after completion). Times are coarse (10 ms) so ties happen.
 */
final class RandomRuns {
  private static final String[] OUTCOMES = {"completed", "failed", "cancelled", "timed_out", "running", "late_cancel"};

  private RandomRuns() {}

  /** The spans of one run of the given trace, in the order an executor would end them. */
  static List<Span> run(Random random, String traceId) {
    List<Span> spans = new ArrayList<>();
    String runSpan = id(random);
    String runId = "run_" + traceId.substring(24);
    long t = 0;
    if (random.nextBoolean()) spans.add(span(traceId, id(random), runSpan, "queued", 0, 0, false,
        kv(RunAttributes.RUN_ID, runId), kv(RunAttributes.RUN_STATUS, "queued"), kv(RunAttributes.TENANT, "acme")));
    long runStart = t = 10L * random.nextInt(5);
    String outcome = OUTCOMES[random.nextInt(OUTCOMES.length)];
    int steps = 1 + random.nextInt(4);
    long maxAttempt = 1;
    for (int s = 0; s < steps; s++) {
      if (random.nextInt(4) == 0) spans.add(span(traceId, id(random), runSpan, "sleep", t, t, false,
          kv(RunAttributes.RUN_ID, runId), kv(RunAttributes.RUN_STATUS, "waiting")));
      int attempts = 1 + random.nextInt(3);
      boolean lastStep = s == steps - 1;
      for (int a = 1; a <= attempts; a++) {
        boolean error = a < attempts || (lastStep && outcome.equals("failed"));
        long start = t + 10L * random.nextInt(3);
        long end = start + 10L * random.nextInt(4);
        String stepSpan = id(random);
        if (random.nextInt(3) == 0) {
          spans.add(span(traceId, id(random), stepSpan, "http call", start, end, error, kv(RunAttributes.RUN_ID, runId)));
        }
        spans.add(span(traceId, stepSpan, runSpan, "step " + s, start, end, error, kv(RunAttributes.RUN_ID, runId),
            kv(RunAttributes.STEP, "s" + s), attempt(a)));
        maxAttempt = Math.max(maxAttempt, a);
        t = end + 10L * random.nextInt(2);
      }
    }
    String runStatus = outcome;
    if (outcome.equals("cancelled") || outcome.equals("timed_out")) {
      spans.add(span(traceId, id(random), runSpan, outcome, t, t, outcome.equals("timed_out"),
          kv(RunAttributes.RUN_ID, runId), kv(RunAttributes.RUN_STATUS, outcome)));
      if (random.nextBoolean()) runStatus = "failed"; // the executor's own view, a little later
      t += 10L * random.nextInt(2);
    }
    if (!outcome.equals("running")) {
      String status = outcome.equals("late_cancel") ? "completed" : runStatus;
      spans.add(span(traceId, runSpan, "", "run", runStart, t, status.equals("failed") && random.nextBoolean(),
          kv(RunAttributes.RUN_ID, runId), kv(RunAttributes.TENANT, "acme"), kv(RunAttributes.ENVIRONMENT, "prod"),
          kv(RunAttributes.APP, "billing"), kv(RunAttributes.FUNCTION, "charge-card"),
          kv(RunAttributes.RUN_STATUS, status), attempt(maxAttempt)));
    }
    if (outcome.equals("late_cancel")) spans.add(span(traceId, id(random), runSpan, "cancel", t + 10, t + 10, false,
        kv(RunAttributes.RUN_ID, runId), kv(RunAttributes.RUN_STATUS, "cancelled")));
    return spans;
  }

  /** The spans with up to a third of them duplicated, shuffled. */
  static <T> List<T> shuffledWithDuplicates(Random random, List<T> spans) {
    List<T> out = new ArrayList<>(spans);
    int duplicates = random.nextInt(spans.size() / 3 + 2);
    for (int i = 0; i < duplicates; i++) out.add(spans.get(random.nextInt(spans.size())));
    Collections.shuffle(out, random);
    return out;
  }

  /** What a user sees of a run: everything but version, updated time and the partition key. */
  static RunRow visible(RunRow r) {
    return new RunRow(r.tenant(), r.environment(), r.runId(), r.traceId(), r.app(), r.function(), r.status(),
        r.stale(), r.queuedUnixNano(), r.startedUnixNano(), r.endedUnixNano(), r.lastSpanUnixNano(), 0, 0,
        r.spanCount(), r.attempts(), r.error(), r.errorSpanId(), 0, r.deleted());
  }

  private static KeyValue attempt(long a) {
    return KeyValue.newBuilder().setKey(RunAttributes.ATTEMPT).setValue(AnyValue.newBuilder().setIntValue(a)).build();
  }

  private static String id(Random random) {
    return String.format("%016x", random.nextLong() | 1L);
  }
}
