package io.runtrace.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Minimal ClickHouse HTTP calls for the tests: POST the statement, fail on non-200. */
final class ClickHouseHttp {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ClickHouseHttp() {}

  static String query(URI server, String sql) throws IOException, InterruptedException {
    return query(server, "default", sql);
  }

  /** As the stack's {@code writer} or {@code reader} with its password, or any other user without one. */
  static String query(URI server, String user, String sql) throws IOException, InterruptedException {
    String password = switch (user) {
      case StackCredentials.CLICKHOUSE_WRITER_USER -> StackCredentials.CLICKHOUSE_WRITER_PASSWORD;
      case StackCredentials.CLICKHOUSE_READER_USER -> StackCredentials.CLICKHOUSE_READER_PASSWORD;
      default -> "";
    };
    return query(server, user, password, sql);
  }

  static String query(URI server, String user, String password, String sql) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(server.resolve("/?wait_end_of_query=1&user=" + user + "&password=" + password))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(sql)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("ClickHouse " + server + " answered " + response.statusCode()
          + " to " + sql + ": " + response.body());
    }
    return response.body().trim();
  }
}
