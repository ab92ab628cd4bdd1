package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the stream processor (a child JVM running {@link StreamProcessorMain}) in the middle of
 * a stream of runs, then a restart on the same state dir: the reader replica shows every run and
 * span exactly once, with its final status and span count.
 */
@ForEachClickHouseEngine
class ClickHouseSinkCrashIT {
  static final int RUNS = 600;
  private final ClickHouseEngine engine;

  ClickHouseSinkCrashIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  @Test
  void killMinusNineMidStreamLosesAndDuplicatesNothing(LocalStack stack) throws Exception {
    try (SinkFixture f = new SinkFixture(stack, engine, "crash_it")) {
      Path stateDir = Files.createTempDirectory("crash-it-state");
      Path log = Path.of("target", "crash-it-" + f.database + ".log");
      Process first = startChild(f, stateDir, log);
      Thread producing = new Thread(() -> {
        for (int i = 0; i < RUNS; i++) {
          f.sendRun(i);
          if (i % 20 == 19) SinkFixture.sleep(200);
        }
        f.producer.flush();
      });
      producing.start();
      // Kill once a good share of runs is in ClickHouse and more are in flight.
      SinkFixture.await(() -> f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list FINAL WHERE deleted = 0") >= RUNS / 4,
          Duration.ofMinutes(3), "a quarter of the runs arrived");
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long atKill = f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list FINAL WHERE deleted = 0");
      Process second = startChild(f, stateDir, log);
      try {
        producing.join(120_000);
        assertThat(atKill).as("killed before the end").isLessThan(RUNS);
        f.assertExactlyOnceOnReader(Duration.ofMinutes(4));
      } finally {
        second.destroy();
        if (!second.waitFor(30, TimeUnit.SECONDS)) second.destroyForcibly();
      }
    }
  }

  private static Process startChild(SinkFixture f, Path stateDir, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
        StreamProcessorMain.class.getName()));
    Map<String, String> env = pb.environment();
    env.put("RUNTRACE_KAFKA_BOOTSTRAP", f.stack.kafkaBootstrapServers());
    env.put("RUNTRACE_CLICKHOUSE_WRITER_URL", f.clickHouse.writerUrl().toString());
    env.put("RUNTRACE_CLICKHOUSE_DATABASE", f.database);
    env.put("RUNTRACE_CLICKHOUSE_WRITER_USER", StackCredentials.CLICKHOUSE_WRITER_USER);
    env.put("RUNTRACE_CLICKHOUSE_WRITER_PASSWORD", StackCredentials.CLICKHOUSE_WRITER_PASSWORD);
    env.put("RUNTRACE_APPLICATION_ID", "sink-it-" + f.database);
    env.put("RUNTRACE_STATE_DIR", stateDir.toString());
    env.put("RUNTRACE_TOPIC_SPANS", f.spans);
    env.put("RUNTRACE_TOPIC_SPANS_ENRICHED", f.enriched);
    env.put("RUNTRACE_TOPIC_RUNS", f.runs);
    env.put("RUNTRACE_TOPIC_DEAD_LETTER", f.deadLetter);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }
}
