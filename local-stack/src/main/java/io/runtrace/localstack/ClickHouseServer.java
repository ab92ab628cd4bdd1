package io.runtrace.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One ClickHouse server process: a 18.16 replica ({@code writer} or {@code reader} of shard 01)
 * from Debian's {@code clickhouse-server}, or the 26.7 server, chDB's library in a child JVM.
 */
final class ClickHouseServer {
  static final String CHDB_DIR = "clickhouse-26.7";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final String name;
  private final URI url;
  private final ChildProcess process;
  /** A line the server prints to its console when ready, or null when answering is enough. */
  private final String readyLine;
  private final Path consoleFile;

  private ClickHouseServer(String name, int httpPort, ChildProcess process, String readyLine, Path consoleFile) {
    this.name = name;
    this.url = URI.create("http://127.0.0.1:" + httpPort);
    this.process = process;
    this.readyLine = readyLine;
    this.consoleFile = consoleFile;
  }

  /** A ClickHouse 18.16 replica; its config goes to {@code <workDir>/clickhouse-<replica>}. */
  static ClickHouseServer replica1816(Path workDir, String binary, String replica, ClickHouseConfig.Ports ports) {
    Path dir = workDir.resolve(dirName(replica));
    Path config = ClickHouseConfig.write(dir, replica, ports);
    Path console = dir.resolve("logs/console.out");
    return new ClickHouseServer("ClickHouse 18.16 " + replica, ports.http(), new ChildProcess(
        "ClickHouse 18.16 " + replica, List.of(binary, "--config-file=" + config), dir,
        ClickHouseConfig.logFile(dir), console), null, console);
  }

  /** The ClickHouse 26.7 server (single node) in {@code <workDir>/clickhouse-26.7}. */
  static ClickHouseServer chDb(Path workDir, Path library, int httpPort) {
    Path dir = workDir.resolve(CHDB_DIR);
    List<String> args = ChDbConfig.write(dir, httpPort);
    String[] mainArgs = Stream.concat(Stream.of(library.toString(), Integer.toString(httpPort)), args.stream())
        .toArray(String[]::new);
    List<String> command = JavaCommand.forServer(workDir, dir, "64m", ChDbServerMain.class.getName(), mainArgs);
    // Signal chaining: native code that installs SIGSEGV & co. handlers can't displace the JVM's.
    Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
    Map<String, String> env = Files.isRegularFile(jsig) ? Map.of("LD_PRELOAD", jsig.toString()) : Map.of();
    Path console = dir.resolve(JavaCommand.CONSOLE_FILE);
    return new ClickHouseServer("ClickHouse 26.7", httpPort, new ChildProcess("ClickHouse 26.7", command, dir,
        ClickHouseConfig.logFile(dir), console, env), ChDbServerMain.READY_LINE, console);
  }

  static String dirName(String replica) {
    return "clickhouse-" + replica;
  }

  String name() {
    return name;
  }

  URI url() {
    return url;
  }

  void start() {
    process.start();
  }

  /**
   * Waits for {@code GET /ping} = "Ok.", {@code SELECT 1} = 1 and, for 26.7, the launcher's ready
   * line; stops the server on failure.
   */
  void awaitReady(Deadline deadline) {
    process.awaitReady(deadline, name + " on " + url,
        () -> "Ok.".equals(get("/ping")) && "1".equals(get("/?query=SELECT%201")) && printedReadyLine());
  }

  void stop() {
    process.stop(Duration.ofSeconds(20));
  }

  void kill() {
    process.kill();
  }

  private boolean printedReadyLine() {
    try {
      // Latin-1 reads any bytes; the line itself is ASCII.
      return readyLine == null
          || new String(Files.readAllBytes(consoleFile), StandardCharsets.ISO_8859_1).contains(readyLine);
    } catch (IOException e) {
      return false;
    }
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
