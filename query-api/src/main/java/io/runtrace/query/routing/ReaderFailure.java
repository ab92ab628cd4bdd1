package io.runtrace.query.routing;

import com.clickhouse.client.api.ServerException;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.runtrace.clickhouse.ClickHouseException;
import java.util.Set;

/**
 * What a failed read says about the reader. Only a reader that went away (refused, reset or
 * timed-out connections, a 5xx without a ClickHouse error) or refused the credential is worth
 * another reader: a query error (syntax, a limit of the read-only profile) would fail the same
 * way on every reader.
 */
enum ReaderFailure {
  /** The reader refused the user or password. */
  REFUSED_CREDENTIAL,
  /** The reader did not answer, or answered as a server that is going away. */
  UNAVAILABLE,
  /** The reader answered with an error about the query itself. */
  QUERY;

  /** 209 SOCKET_TIMEOUT and 210 NETWORK_ERROR: the server's own connections failed, not the query. */
  private static final Set<Integer> GOING_AWAY_CODES = Set.of(209, 210);

  static ReaderFailure of(Throwable failure) {
    ClickHouseException ch = find(failure, ClickHouseException.class);
    if (ch != null && ch.authenticationFailed()) return REFUSED_CREDENTIAL;
    int code = ch == null ? 0 : ch.serverCode();
    if (code > 0) return GOING_AWAY_CODES.contains(code) ? UNAVAILABLE : QUERY;
    ServerException server = find(failure, ServerException.class);
    if (server != null) {
      int http = server.getTransportProtocolCode();
      return http >= 400 && http < 500 ? QUERY : UNAVAILABLE;
    }
    // An answer that arrived whole but could not be read would read the same from any reader.
    if (find(failure, JsonProcessingException.class) != null) return QUERY;
    return UNAVAILABLE;
  }

  /** A short cause for {@code /health} and logs: the innermost message, without SQL. */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    message = message.replaceAll("\\s+", " ").trim();
    return message.length() <= 160 ? message : message.substring(0, 160) + "…";
  }

  static int serverCode(Throwable failure) {
    ClickHouseException ch = find(failure, ClickHouseException.class);
    return ch == null ? 0 : ch.serverCode();
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) return type.cast(t);
    }
    return null;
  }
}
