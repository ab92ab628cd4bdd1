package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseDatabase;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link RunHistoryService} from environment variables; the one place they map onto the
 * builders. A bad value stops start-up with a message naming the variable.
 */
public final class RunHistoryMain {
  static final String READER_URL = "RUNTRACE_CLICKHOUSE_READER_URL";
  static final String USER = "RUNTRACE_CLICKHOUSE_USER";
  static final String PASSWORD = "RUNTRACE_CLICKHOUSE_PASSWORD";
  static final String DATABASE = "RUNTRACE_CLICKHOUSE_DATABASE";
  static final String PORT = "RUNTRACE_QUERY_PORT";
  static final String THREADS = "RUNTRACE_QUERY_THREADS";
  static final String QUERY_TIMEOUT_SECONDS = "RUNTRACE_QUERY_TIMEOUT_SECONDS";
  static final String MAX_WINDOW_DAYS = "RUNTRACE_QUERY_MAX_WINDOW_DAYS";

  private RunHistoryMain() {}

  public static void main(String[] args) throws InterruptedException {
    RunHistoryService service;
    try {
      service = fromEnvironment(System.getenv()).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("runtrace query-api: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stopped.countDown();
    }, "runtrace-query-shutdown"));
    try {
      service.start();
    } catch (RuntimeException e) {
      System.err.println("runtrace query-api: " + e.getMessage());
      System.exit(1);
    }
    stopped.await();
  }

  /** A builder configured from {@code env}; fails naming the variable whose value is bad. */
  static RunHistoryServiceBuilder fromEnvironment(Map<String, String> env) {
    int timeoutSeconds = intVar(env, QUERY_TIMEOUT_SECONDS, 10, 1, 3600);
    RunHistoryServiceBuilder builder = RunHistoryService.builder()
        .port(intVar(env, PORT, RunHistoryServiceBuilder.DEFAULT_PORT, 0, 65_535))
        .threads(intVar(env, THREADS, RunHistoryServiceBuilder.DEFAULT_THREADS, 1, 256))
        .maxWindow(Duration.ofDays(intVar(env, MAX_WINDOW_DAYS, (int) RunHistoryServiceBuilder.DEFAULT_MAX_WINDOW.toDays(), 7, 366)));
    ClickHouseDatabase.Builder reader = ClickHouseDatabase.builder();
    apply(READER_URL, () -> reader.url(URI.create(env.getOrDefault(READER_URL, "http://127.0.0.1:8123"))));
    apply(USER, () -> reader.user(env.getOrDefault(USER, "default")));
    apply(PASSWORD, () -> reader.password(env.getOrDefault(PASSWORD, "")));
    apply(DATABASE, () -> reader.database(env.getOrDefault(DATABASE, "runtrace")));
    reader.maxExecutionTime(Duration.ofSeconds(timeoutSeconds))
        .socketTimeout(Duration.ofSeconds(timeoutSeconds + 5L))
        // One more than the span cap, so a capped trace reads as truncated instead of failing.
        .maxResultRows(RunHistoryServiceBuilder.DEFAULT_MAX_SPANS_PER_TRACE + 1L);
    return builder.reader(reader.build());
  }

  private static void apply(String variable, Runnable setter) {
    try {
      setter.run();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(variable + ": " + e.getMessage(), e);
    }
  }

  private static int intVar(Map<String, String> env, String name, int fallback, int min, int max) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) return fallback;
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= min && value <= max) return value;
    } catch (NumberFormatException e) {
      // Reported below with the accepted range.
    }
    throw new IllegalArgumentException(name + " must be an integer " + min + ".." + max + ", was \"" + raw + "\"");
  }
}
