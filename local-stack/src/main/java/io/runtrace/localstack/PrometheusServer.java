package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's {@code prometheus} as a child process: a generated {@code prometheus.yml}, its TSDB and
 * its console output under one directory, listening on 127.0.0.1 only.
 */
final class PrometheusServer {
  static final String DIR = "prometheus";
  static final String CONSOLE_FILE = "logs/console.out";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final int port;
  private final ChildProcess process;

  PrometheusServer(Path workDir, String binary, int port, Duration scrapeInterval, Map<String, List<String>> jobs,
      List<Path> ruleFiles, long retentionBytes, Duration retentionTime) {
    this.port = port;
    Path dir = workDir.resolve(DIR);
    Path config = dir.resolve("prometheus.yml");
    Path data = dir.resolve("data");
    write(config, config(scrapeInterval, jobs, ruleFiles));
    List<String> command = new ArrayList<>(List.of(binary,
        "--config.file=" + config,
        "--storage.tsdb.path=" + data,
        "--storage.tsdb.retention.size=" + retentionBytes + "B",
        "--storage.tsdb.retention.time=" + retentionTime.toSeconds() + "s",
        "--web.listen-address=127.0.0.1:" + port,
        // Prometheus has no log file of its own: warnings and errors only, into the console file.
        "--log.level=warn"));
    // The config's tail goes into error messages next to the console's: most start failures are in it.
    this.process = new ChildProcess("Prometheus", command, dir, config, dir.resolve(CONSOLE_FILE));
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  void start(Deadline deadline) {
    process.start();
    process.awaitReady(deadline, "Prometheus on " + url(), this::ready);
  }

  void stop() {
    process.stop(Duration.ofSeconds(20));
  }

  private boolean ready() {
    try {
      HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Prometheus", e);
    }
  }

  /** The scrape configuration; every job scrapes {@code /metrics} of its targets. */
  static String config(Duration scrapeInterval, Map<String, List<String>> jobs, List<Path> ruleFiles) {
    String interval = duration(scrapeInterval.toMillis());
    StringBuilder yaml = new StringBuilder()
        .append("global:\n")
        .append("  scrape_interval: ").append(interval).append('\n')
        .append("  evaluation_interval: ").append(interval).append('\n')
        // A scrape must end before the next one starts.
        .append("  scrape_timeout: ").append(duration(Math.min(scrapeInterval.toMillis(), 10_000))).append('\n');
    yaml.append("rule_files:").append(ruleFiles.isEmpty() ? " []\n" : "\n");
    for (Path file : ruleFiles) yaml.append("  - ").append(quoted(file.toAbsolutePath().toString())).append('\n');
    yaml.append("scrape_configs:").append(jobs.isEmpty() ? " []\n" : "\n");
    jobs.forEach((job, targets) -> {
      yaml.append("  - job_name: ").append(quoted(job)).append('\n')
          .append("    metrics_path: /metrics\n")
          .append("    static_configs:\n")
          .append("      - targets: [");
      for (int i = 0; i < targets.size(); i++) yaml.append(i == 0 ? "" : ", ").append(quoted(targets.get(i)));
      yaml.append("]\n");
    });
    return yaml.toString();
  }

  /** Prometheus' duration syntax: whole seconds as {@code 15s}, otherwise milliseconds. */
  private static String duration(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private static String quoted(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
