package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SQL generation of the read model's queries: pages, runs by id, traces, stats. */
class SelectQueriesTest {
  private static final String EVIL = "x' OR 1=1 --";
  private static final String EVIL_LITERAL = "'x\\' OR 1=1 --'";
  private static final long S = 1_000_000_000L;
  private static final TimeWindow WEEK = new TimeWindow(1_795_392_000L * S, 1_795_996_800L * S);

  static RunFilter filter(Optional<String> tenant) {
    return new RunFilter(tenant, List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
        WEEK, Optional.empty(), 50);
  }

  @Test
  void aPageSliceReadsTheTenantsKeyRangeAndPrunesDays() {
    String sql = new SelectRunPage("runtrace").sql(filter(Optional.of("acme")), 1_795_993_200L * S,
        1_795_996_800L * S, null, 51);

    assertThat(sql).isEqualTo("SELECT " + RunJson.COLUMNS + " FROM runtrace.run_list FINAL WHERE tenant = 'acme'"
        + " AND created_time >= toDateTime(1795993200) AND created_time <= toDateTime(1795996800)"
        + " AND created_unix_nano >= 1795993200000000000 AND created_unix_nano < 1795996800000000000"
        + " AND deleted = 0 ORDER BY created_unix_nano DESC, trace_id DESC LIMIT 51");
  }

  @Test
  void aPageAfterACursorContinuesStrictlyBelowItsPosition() {
    String sql = new SelectRunPage("runtrace").sql(filter(Optional.empty()), 0, 10 * S + 1,
        new RunCursor(10 * S, "t'9"), 5);

    assertThat(sql).contains("AND (created_unix_nano < 10000000000 OR created_unix_nano = 10000000000"
        + " AND trace_id < 't\\'9')").doesNotContain("tenant =");
  }

  @Test
  void aPageEscapesEveryFilter() {
    RunFilter f = new RunFilter(Optional.of(EVIL), List.of(EVIL), List.of("failed", "timed_out"),
        Optional.of(EVIL), Optional.of("back\\slash"), Optional.of(true), WEEK, Optional.empty(), 3);
    String sql = new SelectRunPage("runtrace").sql(f, 0, S, null, 3);

    assertThat(sql).contains("tenant = " + EVIL_LITERAL, "AND environment = " + EVIL_LITERAL,
        "AND status IN ('failed', 'timed_out')", "AND function = " + EVIL_LITERAL, "AND app = 'back\\\\slash'",
        "AND stale = 1", "LIMIT 3");
    assertThat(sql).doesNotContain("= 'x' OR");
  }

  @Test
  void aRunByIdGoesThroughItsKeys() {
    SelectRunById q = new SelectRunById("qa_1");

    assertThat(q.keys("run-1", Optional.empty(), List.of())).isEqualTo(
        "SELECT tenant, environment, trace_id, created_unix_nano FROM qa_1.run_ids FINAL WHERE run_id = 'run-1' LIMIT 10");
    assertThat(q.keys("run-1", Optional.of(EVIL), List.of("prod")))
        .contains("WHERE tenant = " + EVIL_LITERAL + " AND run_id = 'run-1' AND environment = 'prod'");
    assertThat(q.keys("run-1", Optional.of("acme"), List.of("prod", EVIL)))
        .contains("WHERE tenant = 'acme' AND run_id = 'run-1' AND environment IN ('prod', " + EVIL_LITERAL + ")");
    assertThat(q.run("acme", "prod", 1_795_996_800_123L * 1_000_000L, "t1")).isEqualTo("SELECT " + RunJson.COLUMNS
        + " FROM qa_1.run_list FINAL WHERE tenant = 'acme' AND environment = 'prod'"
        + " AND created_time = toDateTime(1795996800) AND created_unix_nano = 1795996800123000000"
        + " AND trace_id = 't1' AND deleted = 0 LIMIT 1");
  }

  @Test
  void aTraceIsReadInTheDaysItsSpansStartedAndAsksForOneMoreThanTheCap() {
    String sql = new SelectTraceSpans("runtrace").sql(EVIL, "t'1", 7200 * S, 10_800 * S, 10_000);

    assertThat(sql).isEqualTo("SELECT " + SpanJson.COLUMNS + " FROM runtrace.spans FINAL"
        + " WHERE trace_id = 't\\'1' AND start_time >= toDateTime(3600) AND start_time <= toDateTime(14400)"
        + " AND tenant IN (" + EVIL_LITERAL + ", '') ORDER BY start_unix_nano, span_id LIMIT 10001");
    assertThat(new SelectTraceSpans("runtrace").sql("", "t1", S, S, 5)).contains("AND tenant IN ('')")
        .contains("start_time >= toDateTime(0)");
  }

  @Test
  void statsReadTheRollupOnly() {
    StatsRequest r = new StatsRequest(Optional.of("acme"), List.of(), Optional.of(EVIL), Optional.empty(),
        1_795_910_400L, 1_795_996_800L, 3600);
    SelectRunStats q = new SelectRunStats("runtrace");

    assertThat(List.of(q.countsByFunction(r), q.durations(r), q.series(r)))
        .allSatisfy(sql -> assertThat(sql).contains("FROM runtrace.run_stats FINAL WHERE tenant = 'acme'"
            + " AND hour >= toDateTime(1795910400) AND hour < toDateTime(1795996800) AND function = " + EVIL_LITERAL)
            .doesNotContain("run_list"));
    assertThat(q.series(r)).startsWith("SELECT toUInt32(intDiv(toUInt32(hour), 3600) * 3600) AS start, status,");
  }

  @Test
  void databaseMustBeAnIdentifier() {
    assertThatThrownBy(() -> new SelectRunPage("runtrace; DROP TABLE runs"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
