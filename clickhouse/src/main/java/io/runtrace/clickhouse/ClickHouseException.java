package io.runtrace.clickhouse;

/** A ClickHouse request failed; the message names the statement and the server. */
public final class ClickHouseException extends RuntimeException {
  ClickHouseException(String message, Throwable cause) {
    super(message, cause);
  }
}
