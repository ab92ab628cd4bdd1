package io.runtrace.stream;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.model.RuntraceTopics;
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
    if (env.containsKey("RUNTRACE_SINK_MAX_BATCH_BYTES")) b.maxBatchBytes(intVar(env, "RUNTRACE_SINK_MAX_BATCH_BYTES"));
    b.topics(env.getOrDefault("RUNTRACE_TOPIC_SPANS", RuntraceTopics.SPANS),
        env.getOrDefault("RUNTRACE_TOPIC_SPANS_ENRICHED", RuntraceTopics.SPANS_ENRICHED),
        env.getOrDefault("RUNTRACE_TOPIC_RUNS", RuntraceTopics.RUNS),
        env.getOrDefault("RUNTRACE_TOPIC_DEAD_LETTER", RuntraceTopics.DEAD_LETTER));
    if (env.containsKey("RUNTRACE_RETENTION_SPANS_MAX_AGE_DAYS") || env.containsKey("RUNTRACE_RETENTION_SPANS_MAX_BYTES")) {
      b.spansRetention(Duration.ofDays(longVar(env, "RUNTRACE_RETENTION_SPANS_MAX_AGE_DAYS", 30)),
          longVar(env, "RUNTRACE_RETENTION_SPANS_MAX_BYTES", 50L << 30));
    }
    if (env.containsKey("RUNTRACE_RETENTION_RUNS_MAX_AGE_DAYS") || env.containsKey("RUNTRACE_RETENTION_RUNS_MAX_BYTES")) {
      b.runsRetention(Duration.ofDays(longVar(env, "RUNTRACE_RETENTION_RUNS_MAX_AGE_DAYS", 30)),
          longVar(env, "RUNTRACE_RETENTION_RUNS_MAX_BYTES", 10L << 30));
    }
    if (env.containsKey("RUNTRACE_STALE_AFTER_S")) {
      b.staleAfter(Duration.ofSeconds(longVar(env, "RUNTRACE_STALE_AFTER_S", 900)));
    }
    if (env.containsKey("RUNTRACE_RUN_RETENTION_S")) {
      b.runRetention(Duration.ofSeconds(longVar(env, "RUNTRACE_RUN_RETENTION_S", 86_400)));
    }
    if (env.containsKey("RUNTRACE_STATS_REFRESH_MS")) {
      b.statsRefreshInterval(Duration.ofMillis(longVar(env, "RUNTRACE_STATS_REFRESH_MS", 5000)));
    }
    if (env.containsKey("RUNTRACE_RETENTION_INTERVAL_S")) {
      b.retentionInterval(Duration.ofSeconds(longVar(env, "RUNTRACE_RETENTION_INTERVAL_S", 300)));
    }
    return b.build();
  }

  private static long longVar(Map<String, String> env, String name, long fallback) {
    if (!env.containsKey(name)) return fallback;
    try {
      return Long.parseLong(env.get(name).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + env.get(name) + "'");
    }
  }

  private static int intVar(Map<String, String> env, String name) {
    try {
      return Integer.parseInt(env.get(name).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + env.get(name) + "'");
    }
  }
}
