package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
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
    LocalStack.Builder builder = LocalStack.builder().workDir(WORK_DIR).keepData(true)
        .clickHouseEngines(LocalStackExtension.engines());
    LocalStack crashed = builder.build().start();
    for (ClickHouseEngine engine : crashed.clickHouseEngines()) {
      URI writer = crashed.clickHouse(engine).writerUrl();
      ClickHouseHttp.query(writer, "DROP TABLE IF EXISTS kept");
      ClickHouseHttp.query(writer, "CREATE TABLE kept (id UInt64) ENGINE = MergeTree ORDER BY id");
      ClickHouseHttp.query(writer, "INSERT INTO kept VALUES (1), (2)");
    }

    // kill -9 everything but one ClickHouse server, which stays behind as an orphan of the "dead" JVM.
    ProcessHandle orphan = pidOf(crashed.clickHouseEngines().contains(ClickHouseEngine.V26_7)
        ? ClickHouseServer.CHDB_DIR : ClickHouseServer.dirName("reader"));
    for (ProcessHandle server : servers()) {
      if (server.pid() != orphan.pid()) {
        server.destroyForcibly();
        server.onExit().get(10, TimeUnit.SECONDS);
      }
    }

    try (LocalStack restarted = builder.build().start()) {
      assertThat(orphan.isAlive()).as("orphan of the crashed run killed").isFalse();
      for (ClickHouseEngine engine : restarted.clickHouseEngines()) {
        assertThat(ClickHouseHttp.query(restarted.clickHouse(engine).writerUrl(), "SELECT count() FROM kept"))
            .as(engine + " kept its data").isEqualTo("2");
      }
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
