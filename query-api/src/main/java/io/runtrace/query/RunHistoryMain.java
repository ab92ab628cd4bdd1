package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.routing.ReaderRouterBuilder;
import io.runtrace.query.auth.ApiKeyFiles;
import io.runtrace.query.auth.TenantLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link RunHistoryService} from environment variables; the one place they map onto the
 * builders. A bad value stops start-up with a message naming the variable.
 */
public final class RunHistoryMain {
  static final String READER_URL = "RUNTRACE_CLICKHOUSE_READER_URL";
  static final String READER_URLS = "RUNTRACE_CLICKHOUSE_READER_URLS";
  static final String READER_CHECK_INTERVAL_MS = "RUNTRACE_QUERY_READER_CHECK_INTERVAL_MS";
  static final String MAX_REPLICA_DELAY_SECONDS = "RUNTRACE_QUERY_MAX_REPLICA_DELAY_SECONDS";
  static final String USER = "RUNTRACE_CLICKHOUSE_USER";
  static final String PASSWORD = "RUNTRACE_CLICKHOUSE_PASSWORD";
  static final String DATABASE = "RUNTRACE_CLICKHOUSE_DATABASE";
  static final String PORT = "RUNTRACE_QUERY_PORT";
  static final String THREADS = "RUNTRACE_QUERY_THREADS";
  static final String QUERY_TIMEOUT_SECONDS = "RUNTRACE_QUERY_TIMEOUT_SECONDS";
  static final String MAX_WINDOW_DAYS = "RUNTRACE_QUERY_MAX_WINDOW_DAYS";
  static final String API_KEYS_FILE = "RUNTRACE_QUERY_API_KEYS_FILE";
  static final String API_KEYS_RELOAD_SECONDS = "RUNTRACE_QUERY_API_KEYS_RELOAD_SECONDS";
  static final String ALLOW_UNAUTHENTICATED = "RUNTRACE_QUERY_ALLOW_UNAUTHENTICATED";
  static final String TENANT_MAX_IN_FLIGHT = "RUNTRACE_QUERY_TENANT_MAX_IN_FLIGHT";
  static final String TENANT_RATE = "RUNTRACE_QUERY_TENANT_RATE_PER_SECOND";
  static final String TENANT_BURST = "RUNTRACE_QUERY_TENANT_BURST";

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
        .maxWindow(Duration.ofDays(intVar(env, MAX_WINDOW_DAYS, (int) RunHistoryServiceBuilder.DEFAULT_MAX_WINDOW.toDays(), 7, 366)))
        .readerCheckInterval(Duration.ofMillis(intVar(env, READER_CHECK_INTERVAL_MS,
            (int) ReaderRouterBuilder.DEFAULT_CHECK_INTERVAL.toMillis(), 100, 3_600_000)))
        .maxReplicaDelay(Duration.ofSeconds(intVar(env, MAX_REPLICA_DELAY_SECONDS,
            (int) ReaderRouterBuilder.DEFAULT_MAX_REPLICA_DELAY.toSeconds(), 0, 86_400)));
    builder.tenantMaxInFlight(intVar(env, TENANT_MAX_IN_FLIGHT, TenantLimits.DEFAULT_MAX_IN_FLIGHT, 1, 256))
        .tenantRatePerSecond(intVar(env, TENANT_RATE, (int) TenantLimits.DEFAULT_RATE_PER_SECOND, 1, 100_000))
        .tenantBurst(intVar(env, TENANT_BURST, TenantLimits.DEFAULT_BURST, 1, 100_000));
    List<ClickHouseDatabase> readers = new ArrayList<>();
    String variable = readerUrlsVariable(env);
    for (URI url : readerUrls(env, variable)) {
      ClickHouseDatabase.Builder reader = ClickHouseDatabase.builder();
      apply(variable, () -> reader.url(url));
      apply(USER, () -> reader.user(env.getOrDefault(USER, "default")));
      apply(PASSWORD, () -> reader.password(env.getOrDefault(PASSWORD, "")));
      apply(DATABASE, () -> reader.database(env.getOrDefault(DATABASE, "runtrace")));
      reader.maxExecutionTime(Duration.ofSeconds(timeoutSeconds))
          .socketTimeout(Duration.ofSeconds(timeoutSeconds + 5L))
          // One more than the span cap, so a capped trace reads as truncated instead of failing.
          .maxResultRows(RunHistoryServiceBuilder.DEFAULT_MAX_SPANS_PER_TRACE + 1L);
      readers.add(reader.build());
    }
    apply(variable, () -> builder.readers(readers));
    // Last, so that a bad ClickHouse setting is reported before a missing key file.
    if (booleanVar(env, ALLOW_UNAUTHENTICATED)) {
      if (env.containsKey(API_KEYS_FILE)) {
        throw new IllegalArgumentException(ALLOW_UNAUTHENTICATED + "=true and " + API_KEYS_FILE + " exclude each other");
      }
      builder.allowUnauthenticated(true);
    } else {
      Path keys = Path.of(env.getOrDefault(API_KEYS_FILE, ApiKeyFiles.DEFAULT_FILE.toString()));
      if (!Files.isRegularFile(keys)) {
        throw new IllegalArgumentException(API_KEYS_FILE + ": no key file at " + keys.toAbsolutePath()
            + "; create a key with bin/runtrace-keys create --tenant <tenant>, or set " + ALLOW_UNAUTHENTICATED
            + "=true to serve every tenant without keys (local use only)");
      }
      builder.apiKeyFile(keys)
          .apiKeyReloadInterval(Duration.ofSeconds(intVar(env, API_KEYS_RELOAD_SECONDS, 2, 1, 3600)));
    }
    return builder;
  }

  /** RUNTRACE_CLICKHOUSE_READER_URLS, or the older one-reader RUNTRACE_CLICKHOUSE_READER_URL; not both. */
  private static String readerUrlsVariable(Map<String, String> env) {
    boolean many = env.get(READER_URLS) != null && !env.get(READER_URLS).isBlank();
    boolean one = env.get(READER_URL) != null && !env.get(READER_URL).isBlank();
    if (many && one) {
      throw new IllegalArgumentException(READER_URLS + " and " + READER_URL + " are both set; set only "
          + READER_URLS);
    }
    return one ? READER_URL : READER_URLS;
  }

  private static List<URI> readerUrls(Map<String, String> env, String variable) {
    String raw = env.get(variable);
    if (raw == null || raw.isBlank()) return List.of(URI.create("http://127.0.0.1:8123"));
    List<URI> urls = new ArrayList<>();
    for (String part : raw.split(",", -1)) {
      String url = part.trim();
      if (url.isEmpty()) {
        throw new IllegalArgumentException(variable + " must be comma-separated http(s)://host:port URLs, was \""
            + raw + "\" (an empty entry)");
      }
      apply(variable, () -> urls.add(URI.create(url)));
    }
    return urls;
  }

  private static void apply(String variable, Runnable setter) {
    try {
      setter.run();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(variable + ": " + e.getMessage(), e);
    }
  }

  private static boolean booleanVar(Map<String, String> env, String name) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank() || raw.trim().equals("false")) return false;
    if (raw.trim().equals("true")) return true;
    throw new IllegalArgumentException(name + " must be true or false, was \"" + raw + "\"");
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
