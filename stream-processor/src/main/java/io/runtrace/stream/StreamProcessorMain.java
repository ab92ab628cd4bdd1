package io.runtrace.stream;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.model.KafkaCredentials;
import io.runtrace.model.RuntraceTopics;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the stream processor from environment variables; the one place they map onto the builder
 * (the module README has the table). A bad value stops start-up with exit code 2 and a message
 * naming the variable.
 */
public final class StreamProcessorMain {
  static final String WRITER_URL = "RUNTRACE_CLICKHOUSE_WRITER_URL";
  static final String WRITER_USER = "RUNTRACE_CLICKHOUSE_WRITER_USER";
  static final String WRITER_PASSWORD = "RUNTRACE_CLICKHOUSE_WRITER_PASSWORD";
  /** Read before the writer user had its own names; now refused, since the migrator's admin user is set by them. */
  static final String OLD_USER = "RUNTRACE_CLICKHOUSE_USER";
  static final String OLD_PASSWORD = "RUNTRACE_CLICKHOUSE_PASSWORD";
  static final String DATABASE = "RUNTRACE_CLICKHOUSE_DATABASE";
  static final String BOOTSTRAP = "RUNTRACE_KAFKA_BOOTSTRAP";
  static final String HTTP_PORT = "RUNTRACE_STREAM_HTTP_PORT";

  private StreamProcessorMain() {}

  public static void main(String[] args) throws InterruptedException {
    StreamProcessor processor;
    try {
      processor = fromEnvironment(System.getenv()).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("runtrace stream-processor: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      // A Kafka client refusing its configuration, or the HTTP port taken.
      System.err.println("runtrace stream-processor: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      processor.close();
      stopped.countDown();
    }, "runtrace-stream-shutdown"));
    processor.start();
    stopped.await();
  }

  /** The writer's login: {@value #WRITER_USER} / {@value #WRITER_PASSWORD}, default {@code default} / empty. */
  record WriterLogin(String user, String password) {}

  /** Reads the writer's login; the old shared names fail naming the new ones, so the processor never writes as the admin by accident. */
  static WriterLogin writerLogin(Map<String, String> env) {
    for (String[] names : new String[][] {{OLD_USER, WRITER_USER}, {OLD_PASSWORD, WRITER_PASSWORD}}) {
      if (env.containsKey(names[0]) && !env.containsKey(names[1])) {
        throw new IllegalArgumentException(names[0] + " is no longer read by the stream processor (it names the"
            + " migrator's admin user); set " + names[1] + " to the ClickHouse writer user's "
            + (names[1].equals(WRITER_USER) ? "name" : "password"));
      }
    }
    String user = env.getOrDefault(WRITER_USER, "default");
    if (user.isBlank() || !user.equals(user.strip())) {
      throw new IllegalArgumentException(WRITER_USER + " must be a user name without surrounding spaces, was \"" + user + "\"");
    }
    return new WriterLogin(user, env.getOrDefault(WRITER_PASSWORD, ""));
  }

  /** Maps {@code RUNTRACE_*} variables onto the builder; a bad value fails naming the variable. */
  static StreamProcessor.Builder fromEnvironment(Map<String, String> env) {
    WriterLogin login = writerLogin(env);
    ClickHouseDatabase.Builder writer = ClickHouseDatabase.builder().user(login.user()).password(login.password());
    apply(WRITER_URL, () -> writer.url(uri(env.getOrDefault(WRITER_URL, "http://127.0.0.1:8123"))));
    apply(DATABASE, () -> writer.database(env.getOrDefault(DATABASE, "runtrace")));
    StreamProcessor.Builder b = StreamProcessor.builder().clickHouseWriter(writer.build());
    apply(BOOTSTRAP, () -> b.bootstrapServers(env.getOrDefault(BOOTSTRAP, "127.0.0.1:9092")));
    // Names its own variables in its messages.
    b.kafkaCredentials(KafkaCredentials.fromEnvironment(env));
    if (env.containsKey(HTTP_PORT)) apply(HTTP_PORT, () -> b.httpPort(intVar(env, HTTP_PORT)));
    if (env.containsKey("RUNTRACE_STATE_DIR")) apply("RUNTRACE_STATE_DIR", () -> b.stateDir(Path.of(env.get("RUNTRACE_STATE_DIR"))));
    if (env.containsKey("RUNTRACE_APPLICATION_ID")) {
      apply("RUNTRACE_APPLICATION_ID", () -> b.applicationId(env.get("RUNTRACE_APPLICATION_ID")));
    }
    if (env.containsKey("RUNTRACE_SINK_MAX_BATCH_ROWS")) {
      apply("RUNTRACE_SINK_MAX_BATCH_ROWS", () -> b.maxBatchRows(intVar(env, "RUNTRACE_SINK_MAX_BATCH_ROWS")));
    }
    if (env.containsKey("RUNTRACE_SINK_MAX_BATCH_DELAY_MS")) {
      apply("RUNTRACE_SINK_MAX_BATCH_DELAY_MS",
          () -> b.maxBatchDelay(Duration.ofMillis(intVar(env, "RUNTRACE_SINK_MAX_BATCH_DELAY_MS"))));
    }
    if (env.containsKey("RUNTRACE_SINK_MAX_BATCH_BYTES")) {
      apply("RUNTRACE_SINK_MAX_BATCH_BYTES", () -> b.maxBatchBytes(intVar(env, "RUNTRACE_SINK_MAX_BATCH_BYTES")));
    }
    b.topics(topic(env, "RUNTRACE_TOPIC_SPANS", RuntraceTopics.SPANS),
        topic(env, "RUNTRACE_TOPIC_SPANS_ENRICHED", RuntraceTopics.SPANS_ENRICHED),
        topic(env, "RUNTRACE_TOPIC_RUNS", RuntraceTopics.RUNS),
        topic(env, "RUNTRACE_TOPIC_DEAD_LETTER", RuntraceTopics.DEAD_LETTER));
    if (env.containsKey("RUNTRACE_RETENTION_SPANS_MAX_AGE_DAYS") || env.containsKey("RUNTRACE_RETENTION_SPANS_MAX_BYTES")) {
      apply("RUNTRACE_RETENTION_SPANS_MAX_AGE_DAYS / _MAX_BYTES", () -> b.spansRetention(
          Duration.ofDays(longVar(env, "RUNTRACE_RETENTION_SPANS_MAX_AGE_DAYS", 30)),
          longVar(env, "RUNTRACE_RETENTION_SPANS_MAX_BYTES", 50L << 30)));
    }
    if (env.containsKey("RUNTRACE_RETENTION_RUNS_MAX_AGE_DAYS") || env.containsKey("RUNTRACE_RETENTION_RUNS_MAX_BYTES")) {
      apply("RUNTRACE_RETENTION_RUNS_MAX_AGE_DAYS / _MAX_BYTES", () -> b.runsRetention(
          Duration.ofDays(longVar(env, "RUNTRACE_RETENTION_RUNS_MAX_AGE_DAYS", 30)),
          longVar(env, "RUNTRACE_RETENTION_RUNS_MAX_BYTES", 10L << 30)));
    }
    if (env.containsKey("RUNTRACE_STALE_AFTER_S")) {
      apply("RUNTRACE_STALE_AFTER_S", () -> b.staleAfter(Duration.ofSeconds(longVar(env, "RUNTRACE_STALE_AFTER_S", 900))));
    }
    if (env.containsKey("RUNTRACE_RUN_RETENTION_S")) {
      apply("RUNTRACE_RUN_RETENTION_S",
          () -> b.runRetention(Duration.ofSeconds(longVar(env, "RUNTRACE_RUN_RETENTION_S", 86_400))));
    }
    if (env.containsKey("RUNTRACE_STATS_REFRESH_MS")) {
      apply("RUNTRACE_STATS_REFRESH_MS",
          () -> b.statsRefreshInterval(Duration.ofMillis(longVar(env, "RUNTRACE_STATS_REFRESH_MS", 5000))));
    }
    if (env.containsKey("RUNTRACE_RETENTION_INTERVAL_S")) {
      apply("RUNTRACE_RETENTION_INTERVAL_S",
          () -> b.retentionInterval(Duration.ofSeconds(longVar(env, "RUNTRACE_RETENTION_INTERVAL_S", 300))));
    }
    return b;
  }

  private static URI uri(String raw) {
    try {
      URI uri = new URI(raw.trim());
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("must be http(s)://host:port, was \"" + raw + "\"");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("must be http(s)://host:port, was \"" + raw + "\": " + e.getMessage(), e);
    }
  }

  private static String topic(Map<String, String> env, String name, String fallback) {
    String topic = env.getOrDefault(name, fallback);
    if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(name + " must be a Kafka topic name ([A-Za-z0-9._-], 1..249), was \"" + topic + "\"");
    }
    return topic;
  }

  /** Runs a builder setter, prefixing its error with the variable it came from unless it names one already. */
  private static void apply(String variable, Runnable setter) {
    try {
      setter.run();
    } catch (RuntimeException e) {
      String message = e.getMessage();
      throw new IllegalArgumentException(message != null && message.startsWith("RUNTRACE_") ? message : variable + ": " + message, e);
    }
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
