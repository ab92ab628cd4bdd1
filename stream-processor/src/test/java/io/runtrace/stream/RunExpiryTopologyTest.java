package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.T0;
import static io.runtrace.stream.TestSpans.request;
import static io.runtrace.stream.TestSpans.runSpan;
import static io.runtrace.stream.TestSpans.stepSpan;
import static io.runtrace.stream.TestSpans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stale runs and store retention, driven by the test driver's wall clock. */
class RunExpiryTopologyTest {
  static final Instant NOW = Instant.ofEpochMilli(T0 / MS + 60_000);
  final TopologyFixture fx = new TopologyFixture(NOW, 64 * 1024, Duration.ofMinutes(15), Duration.ofHours(24));

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void givenARunningRun_whenSilentForLongerThanStaleAfter_thenAStaleVersionIsEmittedAndASpanClearsIt() {
    String t = traceId(1);
    fx.send(t, request(runSpan(t, "run-1", "running", 0, 10)), NOW);
    assertThat(fx.runVersions()).extracting(RunRow::stale).containsExactly(0);

    fx.driver.advanceWallClockTime(Duration.ofMinutes(10));
    assertThat(fx.runVersions()).as("not silent long enough").isEmpty();
    fx.driver.advanceWallClockTime(Duration.ofMinutes(6));
    RunRow stale = fx.runVersions().get(0);
    assertThat(stale.stale()).isEqualTo(1);
    assertThat(stale.status()).isEqualTo("running");
    assertThat(stale.version()).isEqualTo(2);
    assertThat(fx.counter("runtrace.stream.runs.stale")).isEqualTo(1.0);

    fx.driver.advanceWallClockTime(Duration.ofMinutes(20));
    assertThat(fx.runVersions()).as("marked once").isEmpty();
    fx.send(t, request(stepSpan(t, 1, "charge", 1, 20, 30, false)), NOW.plus(Duration.ofMinutes(36)));
    RunRow fresh = fx.runVersions().get(0);
    assertThat(fresh.stale()).isZero();
    assertThat(fresh.version()).isEqualTo(3);
  }

  @Test
  void givenACompletedRun_whenSilent_thenItNeverGoesStale() {
    String t = traceId(2);
    fx.send(t, request(runSpan(t, "run-2", "completed", 0, 10)), NOW);
    fx.runVersions();
    fx.driver.advanceWallClockTime(Duration.ofHours(1));
    assertThat(fx.runVersions()).isEmpty();
  }

  @Test
  void givenATaskCatchingUpOnABacklog_whenRecordsKeepComing_thenRunsInTheBacklogAreNotMarkedStale() {
    String a = traceId(3);
    String b = traceId(4);
    Instant hourAgo = NOW.minus(Duration.ofHours(1));
    fx.send(a, request(runSpan(a, "run-a", "running", 0, 10)), hourAgo);
    for (int i = 1; i <= 20; i++) { // 10 minutes of catching up, 30 s of backlog per 30 s
      fx.driver.advanceWallClockTime(Duration.ofSeconds(30));
      fx.send(b, request(stepSpan(b, i, "s", 1, i, i + 1, false)), hourAgo.plusSeconds(30L * i));
    }
    assertThat(fx.runVersions()).extracting(RunRow::stale).containsOnly(0);

    // Caught up: no record for a punctuation interval, so "now" is the wall clock again.
    fx.driver.advanceWallClockTime(Duration.ofMinutes(2));
    assertThat(fx.latestRuns().get(a).stale()).isEqualTo(1);
  }

  @Test
  void givenACompletedRunPastRetention_whenALateSpanArrives_thenTheSpanIsWrittenAndTheRunUnchanged() {
    String t = traceId(5);
    fx.send(t, request(runSpan(t, "run-5", "completed", 0, 10)), NOW);
    fx.runVersions();
    fx.enrichedSpans();

    fx.driver.advanceWallClockTime(Duration.ofHours(25));
    RunState closed = fx.store().get(t);
    assertThat(closed.closed).isTrue();
    assertThat(closed.spanIds).isEmpty();
    assertThat(fx.counter("runtrace.stream.runs.closed")).isEqualTo(1.0);

    fx.send(t, request(stepSpan(t, 1, "late", 1, 5, 8, false)), NOW.plus(Duration.ofHours(25)));
    assertThat(fx.runVersions()).as("no version can regress the run").isEmpty();
    assertThat(fx.enrichedSpans()).singleElement()
        .satisfies(s -> assertThat(s.get("run_id").asText()).isEqualTo("run-5"));
    assertThat(fx.counter("runtrace.stream.spans.after.close")).isEqualTo(1.0);

    fx.driver.advanceWallClockTime(Duration.ofDays(8));
    assertThat(fx.store().get(t)).as("tombstone deleted after 7 days").isNull();
    assertThat(fx.counter("runtrace.stream.runs.deleted")).isEqualTo(1.0);
  }

  @Test
  void givenAPlainTraceWithoutRunId_whenPastRetention_thenItLeavesTheStore() {
    String t = traceId(6);
    fx.send(t, request(TestSpans.span(t, TestSpans.spanId(1), "", "GET /", 0, 10, false)), NOW);
    assertThat(fx.store().get(t)).isNotNull();
    fx.driver.advanceWallClockTime(Duration.ofHours(25));
    assertThat(fx.store().get(t)).isNull();
    assertThat(fx.runVersions()).isEmpty();
  }

  @Test
  void givenAStaleRunSilentForThirtyDays_whenPunctuated_thenItIsClosed() {
    String t = traceId(7);
    fx.send(t, request(runSpan(t, "run-7", "waiting", 0, 10)), NOW);
    fx.driver.advanceWallClockTime(Duration.ofMinutes(16));
    fx.driver.advanceWallClockTime(Duration.ofDays(31));
    assertThat(fx.store().get(t).closed).isTrue();
    assertThat(fx.latestRuns().get(t).stale()).isEqualTo(1);
  }
}
