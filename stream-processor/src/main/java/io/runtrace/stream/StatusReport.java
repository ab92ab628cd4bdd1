package io.runtrace.stream;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.runtrace.model.RunStatus;

/**
 * The status report that decides a run's status, chosen from every span's report by a total
 * order, so any arrival order gives the same winner: a terminal report beats any non-terminal
 * one; among terminal reports the earliest wins (a run ends once, so a cancel that raced a
 * completion, or the executor's own "failed" after the platform's "timed_out", changes nothing),
 * ties going to timed out, cancelled, failed, completed; among non-terminal reports the latest
 * wins, ties going to waiting, running, queued; the smallest span id breaks what is left.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
final class StatusReport {
  String status = "";
  boolean terminal;
  long nanos;
  String spanId = "";
  /** The reporting span's error message when its status is ERROR, else empty. */
  String error = "";

  /** Takes the candidate if it beats the current report. */
  void offer(RunStatus candidate, long candidateNanos, String candidateSpanId, String candidateError) {
    if (!status.isEmpty() && !beats(candidate, candidateNanos, candidateSpanId)) return;
    status = candidate.wireName();
    terminal = candidate.terminal();
    nanos = candidateNanos;
    spanId = candidateSpanId;
    error = candidateError;
  }

  private boolean beats(RunStatus candidate, long candidateNanos, String candidateSpanId) {
    if (candidate.terminal() != terminal) return candidate.terminal();
    RunStatus current = RunStatus.parse(status);
    int cmp = Long.compare(candidateNanos, nanos);
    if (terminal) cmp = -cmp;
    if (cmp == 0) cmp = Integer.compare(precedence(candidate), precedence(current));
    if (cmp == 0) cmp = spanId.compareTo(candidateSpanId); // same status and time: smaller span id
    return cmp > 0;
  }

  private static int precedence(RunStatus s) {
    return switch (s) {
      case TIMED_OUT -> 4;
      case CANCELLED -> 3;
      case FAILED -> 2;
      case COMPLETED -> 1;
      case WAITING -> 3;
      case RUNNING -> 2;
      case QUEUED -> 1;
    };
  }
}
