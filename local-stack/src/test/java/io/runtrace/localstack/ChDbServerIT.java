package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ClickHouse 26.7 server on its own: how it fails, stops and restarts. */
class ChDbServerIT {
  @TempDir Path workDir;
  private Path library;

  @BeforeEach
  void needs267() {
    assumeTrue(LocalStackExtension.engines().contains(ClickHouseEngine.V26_7), "26.7 not selected");
    library = ChDbLibrary.resolve(ChDbLibrary.defaultPath());
  }

  @Test
  void aPortTakenAfterTheCheckIsNamedInTheStartError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ClickHouseServer server = ClickHouseServer.chDb(workDir, library, taken.getLocalPort());
      server.start();
      assertThatThrownBy(() -> server.awaitReady(Deadline.after(Duration.ofSeconds(60))))
          .hasMessageContaining("ClickHouse 26.7 on http://127.0.0.1:" + taken.getLocalPort()
              + ": the process exited before it became ready")
          .hasMessageContaining("Address already in use");
    }
  }

  @Test
  void stopsOnSigtermWithinSecondsKeepsItsDataAndStillHandlesJvmTraps() throws Exception {
    int port = new Ports().pick(0, "test");
    ClickHouseServer server = ClickHouseServer.chDb(workDir, library, port);
    server.start();
    try {
      server.awaitReady(Deadline.after(Duration.ofSeconds(60)));
      Path console = workDir.resolve(ClickHouseServer.CHDB_DIR).resolve(JavaCommand.CONSOLE_FILE);
      assertThat(Files.readString(console)).contains(ChDbServerMain.READY_LINE);
      ClickHouseHttp.query(server.url(), "CREATE TABLE kept (id UInt64) ENGINE = MergeTree ORDER BY id");
      ClickHouseHttp.query(server.url(), "INSERT INTO kept VALUES (1), (2), (3)");

      long begin = System.nanoTime();
      server.stop();
      assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("graceful stop, no SIGKILL after 20 s")
          .isLessThan(Duration.ofSeconds(10));

      server.start();
      server.awaitReady(Deadline.after(Duration.ofSeconds(60)));
      assertThat(ClickHouseHttp.query(server.url(), "SELECT count() FROM kept")).isEqualTo("3");
    } finally {
      server.stop();
    }
  }
}
