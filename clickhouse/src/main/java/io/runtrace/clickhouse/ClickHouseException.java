package io.runtrace.clickhouse;

import com.clickhouse.client.api.ServerException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A ClickHouse request failed; the message names the statement and the server. */
public final class ClickHouseException extends RuntimeException {
  /**
   * Server error codes that mean the credential was refused: 192 UNKNOWN_USER, 193 WRONG_PASSWORD,
   * 194 REQUIRED_PASSWORD (18.16 answers these) and 516 AUTHENTICATION_FAILED (current releases).
   */
  static final Set<Integer> AUTHENTICATION_CODES = Set.of(192, 193, 194, 516);
  /** 164 READONLY: a write or DDL sent by a read-only user; 497 ACCESS_DENIED: not granted. */
  static final Set<Integer> PERMISSION_CODES = Set.of(164, 497);

  private static final Pattern CODE = Pattern.compile("Code: (\\d{1,4})[,.]");

  ClickHouseException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The server's error code ({@code Code: N}), or 0 when the server did not answer one. */
  public int serverCode() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof ServerException se && se.getCode() > 0) return se.getCode();
    }
    // 18.16 sends no X-ClickHouse-Exception-Code header; its code is only in the message text.
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      Matcher m = t.getMessage() == null ? null : CODE.matcher(t.getMessage());
      if (m != null && m.find()) return Integer.parseInt(m.group(1));
    }
    return 0;
  }

  /** True when the server refused the user or password: a credential problem, not an outage. */
  public boolean authenticationFailed() {
    return AUTHENTICATION_CODES.contains(serverCode());
  }

  /** True when the user was recognised but may not run the statement (a read-only user's INSERT). */
  public boolean permissionDenied() {
    return PERMISSION_CODES.contains(serverCode());
  }
}
