package io.runtrace.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SQL generation of SelectRuns, SelectRunById and SelectTraceSpans. */
class SelectQueriesTest {
  private static final String EVIL = "x' OR 1=1 --";
  private static final String EVIL_LITERAL = "'x\\' OR 1=1 --'";

  @Test
  void selectRunsWithoutFilters() {
    String sql = new SelectRuns("runtrace").sql(new RunFilter(Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), Optional.empty(), 50));

    assertThat(sql)
        .startsWith("SELECT " + RunJson.COLUMNS + " FROM runtrace.runs FINAL WHERE 1 = 1 ORDER BY")
        .endsWith("DESC, run_id DESC LIMIT 50")
        .doesNotContain("FORMAT");
  }

  @Test
  void selectRunsEscapesEveryFilter() {
    String sql = new SelectRuns("runtrace").sql(new RunFilter(Optional.of(EVIL), Optional.of(EVIL),
        List.of("failed", "timed_out"), Optional.of(EVIL), Optional.of("back\\slash"), 3));

    assertThat(sql).contains(
        "AND tenant = " + EVIL_LITERAL,
        "AND environment = " + EVIL_LITERAL,
        "AND status IN ('failed', 'timed_out')",
        "AND function = " + EVIL_LITERAL,
        "AND app = 'back\\\\slash'",
        "LIMIT 3");
    assertThat(sql).doesNotContain("= 'x' OR");
  }

  @Test
  void selectRunByIdScopesWhenAsked() {
    SelectRunById q = new SelectRunById("qa_1");

    assertThat(q.sql("run-1", Optional.empty(), Optional.empty()))
        .isEqualTo("SELECT " + RunJson.COLUMNS + " FROM qa_1.runs FINAL WHERE run_id = 'run-1'"
            + " ORDER BY updated_unix_nano DESC, tenant, environment LIMIT 2");
    assertThat(q.sql("run-1", Optional.of(EVIL), Optional.of("prod")))
        .contains("WHERE run_id = 'run-1' AND tenant = " + EVIL_LITERAL + " AND environment = 'prod' ORDER BY");
  }

  @Test
  void selectTraceSpansAsksForOneMoreThanTheCap() {
    String sql = new SelectTraceSpans("runtrace").sql(EVIL, "t'1", 10_000);

    assertThat(sql).isEqualTo("SELECT " + SpanJson.COLUMNS + " FROM runtrace.spans FINAL"
        + " WHERE trace_id = 't\\'1' AND tenant IN (" + EVIL_LITERAL + ", '')"
        + " ORDER BY start_unix_nano, span_id LIMIT 10001");
  }

  @Test
  void selectTraceSpansOfATenantlessRunAsksForTheEmptyTenantOnce() {
    assertThat(new SelectTraceSpans("runtrace").sql("", "t1", 5)).contains("AND tenant IN ('')");
  }

  @Test
  void databaseMustBeAnIdentifier() {
    assertThatThrownBy(() -> new SelectRuns("runtrace; DROP TABLE runs"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
