package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An 18.16 stack with a writer and two readers: both replicate, and one can die and come back. */
class ClickHouseReadersIT {
  private static final Path WORK_DIR = Path.of(System.getProperty("user.dir"), "target", "it-readers-stack");

  @Test
  void twoReadersReplicateTheWriterAndOneCanBeKilledAndRestarted() throws Exception {
    try (LocalStack stack = LocalStack.builder().workDir(WORK_DIR).clickHouseEngines(ClickHouseEngine.V18_16)
        .clickHouseReaders(2).build().start()) {
      ClickHouseDeployment ch = stack.clickHouse(ClickHouseEngine.V18_16);
      assertThat(ch.readerUrls()).hasSize(2).doesNotContain(ch.writerUrl());
      assertThat(ch.readerUrl()).isEqualTo(ch.readerUrls().get(0));
      String ddl = "CREATE TABLE t (id UInt64) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/readers/t',"
          + " '{replica}') ORDER BY id";
      ClickHouseHttp.query(ch.writerUrl(), ddl);
      for (URI reader : ch.readerUrls()) ClickHouseHttp.query(reader, ddl);
      ClickHouseHttp.query(ch.writerUrl(), "INSERT INTO t VALUES (1), (2), (3)");
      for (URI reader : ch.readerUrls()) awaitCount(reader, "3");
      assertThat(ClickHouseHttp.query(ch.readerUrls().get(1), "SELECT replica_name FROM system.replicas WHERE table = 't'"))
          .isEqualTo("reader2");

      ch.killReader(0);
      assertThatThrownBy(() -> ClickHouseHttp.query(ch.readerUrls().get(0), "SELECT 1"));
      ClickHouseHttp.query(ch.writerUrl(), "INSERT INTO t VALUES (4)");
      awaitCount(ch.readerUrls().get(1), "4");

      ch.startReader(0);
      awaitCount(ch.readerUrls().get(0), "4");
    }
  }

  private static void awaitCount(URI reader, String expected) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String seen = ClickHouseHttp.query(reader, "SELECT count() FROM t");
    while (!expected.equals(seen) && System.nanoTime() < until) {
      Thread.sleep(200);
      seen = ClickHouseHttp.query(reader, "SELECT count() FROM t");
    }
    assertThat(seen).as("rows on " + reader).isEqualTo(expected);
  }
}
