package io.runtrace.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** One ClickHouse server process ({@code writer} or {@code reader} replica of shard 01). */
final class ClickHouseServer {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final String replica;
  private final URI url;
  private final ChildProcess process;

  ClickHouseServer(Path workDir, String binary, String replica, ClickHouseConfig.Ports ports) {
    this.replica = replica;
    this.url = URI.create("http://127.0.0.1:" + ports.http());
    Path dir = workDir.resolve(dirName(replica));
    Path config = ClickHouseConfig.write(dir, replica, ports);
    this.process = new ChildProcess("ClickHouse " + replica,
        List.of(binary, "--config-file=" + config), dir,
        ClickHouseConfig.logFile(dir), dir.resolve("logs/console.out"));
  }

  static String dirName(String replica) {
    return "clickhouse-" + replica;
  }

  URI url() {
    return url;
  }

  void start() {
    process.start();
  }

  /** Waits for {@code GET /ping} = "Ok." and {@code SELECT 1} = 1; stops the server on failure. */
  void awaitReady(Deadline deadline) {
    try {
      deadline.await("ClickHouse " + replica + " on " + url,
          () -> "Ok.".equals(get("/ping")) && "1".equals(get("/?query=SELECT%201")),
          process::isAlive);
    } catch (TimeoutException | RuntimeException e) {
      String tails = process.tails();
      process.stop(Duration.ZERO);
      throw new IllegalStateException(e.getMessage() + tails, e);
    }
  }

  void stop() {
    process.stop(Duration.ofSeconds(20));
  }

  private String get(String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(url.resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body().trim() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
