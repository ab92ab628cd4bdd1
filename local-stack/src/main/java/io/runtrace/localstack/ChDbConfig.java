package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Configuration of the ClickHouse 26.7 server (chDB's clickhouse-local): config.xml with rotated
 * logs and limits, the shared users file, and the command-line arguments.
 */
final class ChDbConfig {
  private ChDbConfig() {}

  /** Writes config.xml and users.xml under {@code dir}; returns the clickhouse-local arguments. */
  static List<String> write(Path dir, int httpPort) {
    Path data = dir.resolve("data");
    Path config = dir.resolve("config.xml");
    try {
      for (String sub : new String[] {"data/tmp", "data/user_files", "logs"}) {
        Files.createDirectories(dir.resolve(sub));
      }
      Files.writeString(dir.resolve("users.xml"), ClickHouseUsers.xml(ClickHouseEngine.V26_7));
      Files.writeString(config, "<?xml version=\"1.0\"?>\n<clickhouse>\n"
          + ClickHouseConfig.loggerXml(dir)
          + "  <users_config>" + dir.resolve("users.xml") + "</users_config>\n"
          + "  <tmp_path>" + data + "/tmp/</tmp_path>\n"
          + "  <user_files_path>" + data + "/user_files/</user_files_path>\n"
          + "  <max_connections>1024</max_connections>\n"
          + "  <keep_alive_timeout>3</keep_alive_timeout>\n"
          // One more than 18.16's 100: the keep-alive query counts too.
          + "  <max_concurrent_queries>101</max_concurrent_queries>\n"
          + "  <mark_cache_size>268435456</mark_cache_size>\n"
          // 26.7 logs every query by default; a day of them is kept.
          + ClickHouseConfig.queryLogXml("    <ttl>event_date + INTERVAL 1 DAY DELETE</ttl>\n")
          + "</clickhouse>\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write ClickHouse 26.7 config in " + dir, e);
    }
    // clickhouse-local takes the level from the command line, not from <logger>.
    return List.of("--config-file=" + config, "--path=" + data + "/", "--log-level=warning",
        "--listen_host=127.0.0.1", "--http_port=" + httpPort);
  }
}
