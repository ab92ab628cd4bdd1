package io.runtrace.stream;

import static io.runtrace.stream.TestRows.assemble;
import static io.runtrace.stream.TestRows.failed;
import static io.runtrace.stream.TestRows.marker;
import static io.runtrace.stream.TestRows.run;
import static io.runtrace.stream.TestRows.step;
import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One test per derivation rule of schemas/README.md; times are milliseconds after T0. */
class RunStateTest {

  @Test
  void givenTheReadmeExample_whenMerged_thenCompletedWithTimesCountsAndNoError() {
    RunRow run = assemble(marker("0000000000000001", "queued", 0), run("completed", 400, 2400),
        failed(step("0000000000000002", "reserve", 1, 400, 1100, false), "card declined: timeout"),
        step("0000000000000003", "reserve", 2, 1300, 2300, false));

    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.queuedUnixNano()).isEqualTo(T0);
    assertThat(run.startedUnixNano()).isEqualTo(T0 + 400 * MS);
    assertThat(run.endedUnixNano()).isEqualTo(T0 + 2400 * MS);
    assertThat(run.lastSpanUnixNano()).isEqualTo(T0 + 2400 * MS);
    assertThat(run.spanCount()).isEqualTo(4);
    assertThat(run.attempts()).isEqualTo(2);
    assertThat(run.error()).isEmpty();
    assertThat(run.runId()).isEqualTo("run_1");
    assertThat(run.tenant()).isEqualTo("acme");
  }

  @Test
  void givenOnlyStepSpans_whenMerged_thenRunningWithoutEnd() {
    RunRow run = assemble(step("0000000000000002", "a", 1, 100, 200, false));
    assertThat(run.status()).isEqualTo("running");
    assertThat(run.endedUnixNano()).isZero();
    assertThat(run.queuedUnixNano()).as("no queued report: queued is started").isEqualTo(T0 + 100 * MS);
  }

  @Test
  void givenWaitingMarker_whenAStepStartsLater_thenRunningElseWaiting() {
    SpanRow a = step("0000000000000002", "a", 1, 100, 200, false);
    SpanRow sleep = marker("0000000000000003", "waiting", 300);
    SpanRow b = step("0000000000000004", "b", 1, 900, 1000, false);
    assertThat(assemble(a, sleep).status()).isEqualTo("waiting");
    assertThat(assemble(b, sleep, a).status()).isEqualTo("running");
  }

  @Test
  void givenTerminalStatus_whenALaterStepSpanArrives_thenStatusHolds() {
    RunRow run = assemble(run("failed", 0, 500), step("0000000000000002", "late", 2, 900, 950, false));
    assertThat(run.status()).isEqualTo("failed");
    assertThat(run.endedUnixNano()).isEqualTo(T0 + 500 * MS);
    assertThat(run.lastSpanUnixNano()).isEqualTo(T0 + 950 * MS);
  }

  @Test
  void givenTwoDifferentTerminalReports_whenMergedInEitherOrder_thenTheEarliestWins() {
    SpanRow completed = run("completed", 0, 1000);
    SpanRow lateCancel = marker("0000000000000009", "cancelled", 2000);
    assertThat(assemble(completed, lateCancel).status()).isEqualTo("completed");
    assertThat(assemble(lateCancel, completed).status()).isEqualTo("completed");
    assertThat(assemble(lateCancel, completed).endedUnixNano()).isEqualTo(T0 + 1000 * MS);
  }

  @Test
  void givenTerminalReportsAtTheSameInstant_whenMerged_thenTimedOutBeatsFailed() {
    SpanRow timedOut = marker("0000000000000009", "timed_out", 1000);
    SpanRow executorFailed = run("failed", 0, 1000);
    assertThat(assemble(executorFailed, timedOut).status()).isEqualTo("timed_out");
    assertThat(assemble(timedOut, executorFailed).status()).isEqualTo("timed_out");
  }

  @Test
  void givenADuplicateSpan_whenMerged_thenItIsRejectedAndTheRowIsUnchanged() {
    RunState state = new RunState();
    SpanRow s = failed(step("0000000000000002", "a", 1, 100, 200, false), "boom");
    assertThat(state.merge(run("running", 0, 10))).isTrue();
    assertThat(state.merge(s)).isTrue();
    RunRow before = state.toRow(0);
    assertThat(state.merge(s)).isFalse();
    assertThat(state.toRow(0)).isEqualTo(before);
    assertThat(before.spanCount()).isEqualTo(2);
  }

  @Test
  void givenALateEarlierSpan_whenMerged_thenTimesWidenAndStaleClears() {
    RunState state = new RunState();
    state.merge(run("completed", 400, 2000));
    state.stale = true;
    state.merge(marker("0000000000000001", "queued", 50));
    state.merge(step("0000000000000002", "a", 1, 300, 350, false));
    RunRow run = state.toRow(0);
    assertThat(run.queuedUnixNano()).isEqualTo(T0 + 50 * MS);
    assertThat(run.startedUnixNano()).isEqualTo(T0 + 300 * MS);
    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.stale()).isZero();
  }

  @Test
  void givenStepsThatRetried_whenMerged_thenAttemptsIsTheMostTriesOfAnyStep() {
    RunRow run = assemble(step("0000000000000002", "a", 1, 0, 1, true), step("0000000000000003", "a", 2, 2, 3, false),
        step("0000000000000004", "b", 1, 4, 5, true), step("0000000000000005", "b", 2, 6, 7, true),
        step("0000000000000006", "b", 3, 8, 9, false));
    assertThat(run.attempts()).isEqualTo(3);
    assertThat(assemble(run("completed", 0, 1)).attempts()).as("nobody retried").isEqualTo(1);
  }

  @Test
  void givenFailedRunWithoutItsOwnError_whenMerged_thenErrorIsTheLatestFailedSpans() {
    RunRow run = assemble(run("failed", 0, 1000), step("0000000000000002", "a", 1, 0, 100, true),
        step("0000000000000003", "a", 2, 200, 300, true));
    assertThat(run.error()).isEqualTo("0000000000000003 failed");
    assertThat(run.errorSpanId()).isEqualTo("0000000000000003");
  }

  @Test
  void givenFailedRunWithItsOwnError_whenMerged_thenErrorIsTheReportingSpans() {
    RunRow run = assemble(failed(run("failed", 0, 1000), "gave up after 3 attempts"),
        step("0000000000000003", "a", 3, 200, 1200, true));
    assertThat(run.error()).isEqualTo("gave up after 3 attempts");
    assertThat(run.errorSpanId()).isEqualTo(TestRows.RUN_SPAN);
  }

  @Test
  void givenCancelledOrTimedOutRun_whenEarlierStepsFailed_thenOnlyTheReportingSpansErrorShows() {
    SpanRow retried = step("0000000000000002", "a", 1, 0, 100, true);
    assertThat(assemble(retried, run("cancelled", 0, 1000)).error()).isEmpty();
    assertThat(assemble(retried, failed(run("timed_out", 0, 1000), "exceeded 5 s")).error()).isEqualTo("exceeded 5 s");
  }

  @Test
  void givenFailedStepsWhileRunning_whenMerged_thenErrorShowsUntilTheRunCompletes() {
    SpanRow retried = step("0000000000000002", "a", 1, 0, 100, true);
    assertThat(assemble(retried).error()).isEqualTo("0000000000000002 failed");
    assertThat(assemble(retried, run("completed", 0, 1000)).error()).isEmpty();
  }

  @Test
  void givenMarkerAndStepIdentity_whenTheRunSpanArrivesLast_thenTheRunSpansIdentityWins() {
    SpanRow marker = TestRows.row("0000000000000001", TestRows.RUN_SPAN, "run_marker", "other", "", "queued", 0, 0, 0,
        false);
    RunRow run = assemble(marker, run("completed", 0, 10));
    assertThat(run.runId()).isEqualTo("run_1");
    assertThat(run.tenant()).isEqualTo("acme");
  }
}
