package io.runtrace.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.ServerException;
import org.junit.jupiter.api.Test;

/** Error codes as the client reports them from each engine (messages as the servers send them). */
class ClickHouseExceptionTest {
  private static ClickHouseException of(int code, String message, int http) {
    return new ClickHouseException("query failed", new ServerException(code, message, http, null));
  }

  @Test
  void currentServersNameTheCodeInAHeader() {
    ClickHouseException e = of(516, "Code: 516. DB::Exception: reader: Authentication failed", 403);

    assertThat(e.serverCode()).isEqualTo(516);
    assertThat(e.authenticationFailed()).isTrue();
  }

  @Test
  void on1816TheCodeIsReadFromTheMessage() {
    // 18.16 sends no X-ClickHouse-Exception-Code header; the client leaves the code 0.
    ClickHouseException refused = of(0, "Code: 193, e.displayText() = DB::Exception: Wrong password for user reader,"
        + " e.what() = DB::Exception (transport error: 401)", 401);
    ClickHouseException readonly = of(0, "Code: 164, e.displayText() = DB::Exception: Cannot insert into table in"
        + " readonly mode, e.what() = DB::Exception (transport error: 500)", 500);

    assertThat(refused.serverCode()).isEqualTo(193);
    assertThat(refused.authenticationFailed()).isTrue();
    assertThat(readonly.permissionDenied()).isTrue();
    assertThat(readonly.authenticationFailed()).isFalse();
  }

  @Test
  void noCodeWhenTheServerDidNotAnswerOne() {
    assertThat(of(0, "bad gateway", 502).serverCode()).isZero();
    assertThat(new ClickHouseException("connect failed", new java.net.ConnectException("refused")).serverCode()).isZero();
  }
}
