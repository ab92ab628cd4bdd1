package io.runtrace.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.ServerException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ClickHouseExceptionTest {
  @Test
  void readsTheCodeFromTheClientsServerException() {
    ClickHouseException e = new ClickHouseException("query SELECT 1 failed",
        new ServerException(516, "Code: 516. DB::Exception: reader: Authentication failed", 403, "q1"));
    assertThat(e.serverCode()).isEqualTo(516);
    assertThat(e.authenticationFailed()).isTrue();
    assertThat(e.permissionDenied()).isFalse();
  }

  @Test
  void readsThe1816CodeFromTheMessageWhenTheHeaderIsMissing() {
    ClickHouseException e = new ClickHouseException("query SELECT 'Code: 60,' failed", new ServerException(
        ServerException.CODE_UNKNOWN, "Code: 193, e.displayText() = DB::Exception: Wrong password for user reader", 500, "q2"));
    assertThat(e.serverCode()).isEqualTo(193);
    assertThat(e.authenticationFailed()).isTrue();
    ClickHouseException readonly = new ClickHouseException("execute INSERT failed", new RuntimeException(
        "Code: 164, e.displayText() = DB::Exception: Cannot insert into table in readonly mode"));
    assertThat(readonly.permissionDenied()).isTrue();
  }

  @Test
  void aConnectionFailureHasNoCodeAndIsNoCredentialProblem() {
    ClickHouseException e = new ClickHouseException("query SELECT 1 failed", new ConnectException("Connection refused"));
    assertThat(e.serverCode()).isZero();
    assertThat(e.authenticationFailed()).isFalse();
    assertThat(e.permissionDenied()).isFalse();
  }
}
