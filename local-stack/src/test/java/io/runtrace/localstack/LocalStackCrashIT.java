package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A start after a crashed run: killed servers, orphans still running, data kept. */
class LocalStackCrashIT {
  private static final Path WORK_DIR = Path.of(System.getProperty("user.dir"), "target", "it-crash-stack");

  @Test
  void startsAfterTheEarlierRunWasKilled() throws Exception {
    LocalStack.Builder builder = LocalStack.builder().workDir(WORK_DIR).keepData(true);
    LocalStack crashed = builder.build().start();
    ClickHouseHttp.query(crashed.clickHouseWriterUrl(), "DROP TABLE IF EXISTS kept");
    ClickHouseHttp.query(crashed.clickHouseWriterUrl(),
        "CREATE TABLE kept (id UInt64) ENGINE = MergeTree ORDER BY id");
    ClickHouseHttp.query(crashed.clickHouseWriterUrl(), "INSERT INTO kept VALUES (1), (2)");

    // kill -9 everything but the reader, which stays behind as an orphan of the "dead" JVM.
    ProcessHandle orphan = pidOf(ClickHouseServer.dirName("reader"));
    for (ProcessHandle server : servers()) {
      if (server.pid() != orphan.pid()) {
        server.destroyForcibly();
        server.onExit().get(10, TimeUnit.SECONDS);
      }
    }

    try (LocalStack restarted = builder.build().start()) {
      assertThat(orphan.isAlive()).as("orphan of the crashed run killed").isFalse();
      assertThat(ClickHouseHttp.query(restarted.clickHouseWriterUrl(), "SELECT count() FROM kept"))
          .isEqualTo("2");
    } finally {
      crashed.close();
    }
  }

  private static List<ProcessHandle> servers() throws Exception {
    try (Stream<Path> dirs = Files.list(WORK_DIR)) {
      return dirs.filter(d -> Files.exists(d.resolve(ChildProcess.PID_FILE)))
          .map(d -> pidOf(d.getFileName().toString())).toList();
    }
  }

  private static ProcessHandle pidOf(String serverDir) {
    try {
      long pid = Long.parseLong(Files.readString(WORK_DIR.resolve(serverDir).resolve(ChildProcess.PID_FILE)).trim());
      return ProcessHandle.of(pid).orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
