package io.runtrace.stream;

import io.runtrace.clickhouse.ClickHouseDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Runs the stream processor from environment variables; see the module README for the table. */
public final class StreamProcessorMain {
  private StreamProcessorMain() {}

  public static void main(String[] args) throws InterruptedException {
    StreamProcessor processor = fromEnvironment(System.getenv()).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      processor.close();
      stopped.countDown();
    }));
    stopped.await();
  }

  /** Maps {@code RUNTRACE_*} variables onto the builder; a bad value fails naming the variable. */
  static StreamProcessor fromEnvironment(Map<String, String> env) {
    ClickHouseDatabase writer = ClickHouseDatabase.builder()
        .url(URI.create(env.getOrDefault("RUNTRACE_CLICKHOUSE_WRITER_URL", "http://127.0.0.1:8123")))
        .user(env.getOrDefault("RUNTRACE_CLICKHOUSE_USER", "default"))
        .password(env.getOrDefault("RUNTRACE_CLICKHOUSE_PASSWORD", ""))
        .database(env.getOrDefault("RUNTRACE_CLICKHOUSE_DATABASE", "runtrace"))
        .build();
    StreamProcessor.Builder b = StreamProcessor.builder()
        .bootstrapServers(env.getOrDefault("RUNTRACE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
        .clickHouseWriter(writer);
    if (env.containsKey("RUNTRACE_STATE_DIR")) b.stateDir(Path.of(env.get("RUNTRACE_STATE_DIR")));
    if (env.containsKey("RUNTRACE_APPLICATION_ID")) b.applicationId(env.get("RUNTRACE_APPLICATION_ID"));
    if (env.containsKey("RUNTRACE_SINK_MAX_BATCH_ROWS")) {
      b.maxBatchRows(intVar(env, "RUNTRACE_SINK_MAX_BATCH_ROWS"));
    }
    if (env.containsKey("RUNTRACE_SINK_MAX_BATCH_DELAY_MS")) {
      b.maxBatchDelay(Duration.ofMillis(intVar(env, "RUNTRACE_SINK_MAX_BATCH_DELAY_MS")));
    }
    return b.build();
  }

  private static int intVar(Map<String, String> env, String name) {
    try {
      return Integer.parseInt(env.get(name).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + env.get(name) + "'");
    }
  }
}
