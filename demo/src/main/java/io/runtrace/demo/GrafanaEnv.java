package io.runtrace.demo;

import io.runtrace.localstack.StackCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the environment that {@code dashboards/provisioning} reads, for a Grafana started next to
 * the demo: the reader's port (chosen at start), its password, an API key for the trace view and
 * the dashboards folder. One {@code NAME=value} per line, as {@code docker run --env-file} and
 * systemd's {@code EnvironmentFile} take it.
 */
final class GrafanaEnv {
  private GrafanaEnv() {}

  static Path write(Path file, URI readerUrl, String apiKey, Path dashboardsDir) {
    String text = "# Written by bin/demo for dashboards/provisioning (see dashboards/README.md).\n"
        + "RUNTRACE_CLICKHOUSE_READER_PORT=" + readerUrl.getPort() + "\n"
        + "RUNTRACE_CLICKHOUSE_READER_PASSWORD=" + StackCredentials.CLICKHOUSE_READER_PASSWORD + "\n"
        + "RUNTRACE_API_KEY=" + apiKey + "\n"
        + "RUNTRACE_DASHBOARDS_DIR=" + dashboardsDir.toAbsolutePath() + "\n";
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }
}
