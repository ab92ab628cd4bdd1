package io.runtrace.query.routing;

import com.sun.net.httpserver.HttpServer;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A JDK HTTP server that answers every request as a failing ClickHouse server does (status,
 * {@code X-ClickHouse-Exception-Code}, {@code Code: N. DB::Exception: …} body), so the real client
 * raises the real exceptions the router classifies.
 */
final class FakeClickHouse implements AutoCloseable {
  private final HttpServer server;

  private FakeClickHouse(int status, int code, String message, long delayMs) {
    this(status, code, message, delayMs, false);
  }

  private FakeClickHouse(int status, int code, String message, long delayMs, boolean legacy) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      if (delayMs > 0) {
        try {
          Thread.sleep(delayMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String text = code == 0 ? message
          : legacy ? "Code: " + code + ", e.displayText() = DB::Exception: " + message + ", e.what() = DB::Exception\n"
          : "Code: " + code + ". DB::Exception: " + message + "\n";
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      if (code > 0 && !legacy) exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", Integer.toString(code));
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  /** Answers every request with HTTP {@code status}, ClickHouse error {@code code} (0: none) and {@code message}. */
  static FakeClickHouse answering(int status, int code, String message) {
    return new FakeClickHouse(status, code, message, 0);
  }

  /** As 18.16 answers: no code header, {@code Code: N, e.displayText() = …} in the body. */
  static FakeClickHouse answering1816(int status, int code, String message) {
    return new FakeClickHouse(status, code, message, 0, true);
  }

  /** Answers only after {@code delayMs}. */
  static FakeClickHouse slow(long delayMs) {
    return new FakeClickHouse(200, 0, "", delayMs);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A client of this server, as the API builds one (user {@code reader}). */
  ClickHouseDatabase client() {
    return client(url());
  }

  static ClickHouseDatabase client(URI url) {
    return ClickHouseDatabase.builder().url(url).user("reader").password("secret").database("runtrace")
        .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(1)).build();
  }

  /** A URL where nothing listens. */
  static URI deadUrl() {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code query} throws on {@code database}. */
  static RuntimeException failureOf(ClickHouseDatabase database) {
    try {
      database.query("SELECT 1 AS one");
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("the query did not fail");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
