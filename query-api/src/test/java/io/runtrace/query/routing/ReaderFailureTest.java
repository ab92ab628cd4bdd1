package io.runtrace.query.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.runtrace.clickhouse.ClickHouseDatabase;
import org.junit.jupiter.api.Test;

/** Failures raised by the real client against servers that fail in each way. */
class ReaderFailureTest {
  @Test
  void refusedConnectionIsUnavailable() {
    try (ClickHouseDatabase db = FakeClickHouse.client(FakeClickHouse.deadUrl())) {
      RuntimeException e = FakeClickHouse.failureOf(db);

      assertThat(ReaderFailure.of(e)).isEqualTo(ReaderFailure.UNAVAILABLE);
      assertThat(ReaderFailure.describe(e)).isNotBlank().doesNotContain("SELECT");
    }
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsUnavailable() {
    try (FakeClickHouse server = FakeClickHouse.slow(3000); ClickHouseDatabase db = server.client()) {
      assertThat(ReaderFailure.of(FakeClickHouse.failureOf(db))).isEqualTo(ReaderFailure.UNAVAILABLE);
    }
  }

  @Test
  void a5xxWithoutAClickHouseErrorIsUnavailable() {
    try (FakeClickHouse server = FakeClickHouse.answering(502, 0, "bad gateway"); ClickHouseDatabase db = server.client()) {
      assertThat(ReaderFailure.of(FakeClickHouse.failureOf(db))).isEqualTo(ReaderFailure.UNAVAILABLE);
    }
  }

  @Test
  void theServersOwnNetworkErrorIsUnavailable() {
    try (FakeClickHouse server = FakeClickHouse.answering(500, 210, "Connection reset by peer");
        ClickHouseDatabase db = server.client()) {
      assertThat(ReaderFailure.of(FakeClickHouse.failureOf(db))).isEqualTo(ReaderFailure.UNAVAILABLE);
    }
  }

  @Test
  void queryErrorsAndGuardsAreNotTheReadersFault() {
    // 18.16 answers every error with HTTP 500: the ClickHouse code decides.
    for (int code : new int[] {62, 159, 158, 241, 202, 60}) {
      try (FakeClickHouse server = FakeClickHouse.answering(500, code, "query error " + code);
          ClickHouseDatabase db = server.client()) {
        assertThat(ReaderFailure.of(FakeClickHouse.failureOf(db))).as("code " + code).isEqualTo(ReaderFailure.QUERY);
      }
    }
  }

  @Test
  void on1816TheCodeIsInTheBodyAndTheStatusVaries() {
    // As 18.16.1 answered the API's client: 401 refused, 400 syntax, 404 unknown table, 500 the rest.
    int[][] queryErrors = {{400, 62}, {404, 60}, {500, 159}, {500, 158}, {500, 241}};
    for (int[] answer : queryErrors) {
      try (FakeClickHouse server = FakeClickHouse.answering1816(answer[0], answer[1], "query error");
          ClickHouseDatabase db = server.client()) {
        assertThat(ReaderFailure.of(FakeClickHouse.failureOf(db))).as("code " + answer[1]).isEqualTo(ReaderFailure.QUERY);
      }
    }
    try (FakeClickHouse server = FakeClickHouse.answering1816(401, 193, "Wrong password for user reader");
        ClickHouseDatabase db = server.client()) {
      RuntimeException e = FakeClickHouse.failureOf(db);
      assertThat(ReaderFailure.of(e)).isEqualTo(ReaderFailure.REFUSED_CREDENTIAL);
      assertThat(ReaderFailure.serverCode(e)).isEqualTo(193);
    }
    try (FakeClickHouse server = FakeClickHouse.answering1816(500, 210, "Connection reset by peer");
        ClickHouseDatabase db = server.client()) {
      assertThat(ReaderFailure.of(FakeClickHouse.failureOf(db))).isEqualTo(ReaderFailure.UNAVAILABLE);
    }
  }

  @Test
  void refusedCredentialOnBothEngines() {
    // 193 WRONG_PASSWORD (18.16, HTTP 500) and 516 AUTHENTICATION_FAILED (current releases, HTTP 403).
    for (int[] answer : new int[][] {{500, 193}, {403, 516}, {500, 192}}) {
      try (FakeClickHouse server = FakeClickHouse.answering(answer[0], answer[1], "reader: Authentication failed");
          ClickHouseDatabase db = server.client()) {
        RuntimeException e = FakeClickHouse.failureOf(db);

        assertThat(ReaderFailure.of(e)).as("code " + answer[1]).isEqualTo(ReaderFailure.REFUSED_CREDENTIAL);
        assertThat(ReaderFailure.serverCode(e)).isEqualTo(answer[1]);
      }
    }
  }
}
