package io.runtrace.query;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.routing.ReaderClient;
import io.runtrace.query.routing.ReaderRouter;
import io.runtrace.query.routing.ReaderRouterBuilder;
import io.runtrace.query.auth.ApiKeys;
import io.runtrace.query.auth.TenantLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Settings for {@link RunHistoryService}; each setter validates and names the setting. */
public final class RunHistoryServiceBuilder {
  /** Default HTTP port. */
  public static final int DEFAULT_PORT = 8080;
  /** Default bind address: every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** Default page size of {@code GET /v1/runs} when {@code limit} is absent. */
  public static final int DEFAULT_PAGE_SIZE = 50;
  /** Default largest {@code limit} accepted. */
  public static final int DEFAULT_MAX_PAGE_SIZE = 1000;
  /** Default cap on spans returned for one trace. */
  public static final int DEFAULT_MAX_SPANS_PER_TRACE = 10_000;
  /** Default worker threads, which also bounds concurrent ClickHouse queries. */
  public static final int DEFAULT_THREADS = 8;
  /** Default requests waiting for a worker before further ones are answered 503. */
  public static final int DEFAULT_QUEUE_CAPACITY = 64;
  /** Default window of {@code GET /v1/runs} when {@code from} is absent: 7 days before {@code to}. */
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
  /** Default longest window {@code GET /v1/runs} and {@code GET /v1/stats} accept: 31 days. */
  public static final Duration DEFAULT_MAX_WINDOW = Duration.ofDays(31);

  List<ClickHouseDatabase> readers;
  Duration readerCheckInterval = ReaderRouterBuilder.DEFAULT_CHECK_INTERVAL;
  Duration maxReplicaDelay = ReaderRouterBuilder.DEFAULT_MAX_REPLICA_DELAY;
  int port = DEFAULT_PORT;
  String host = DEFAULT_HOST;
  int maxPageSize = DEFAULT_MAX_PAGE_SIZE;
  int defaultPageSize = DEFAULT_PAGE_SIZE;
  int maxSpansPerTrace = DEFAULT_MAX_SPANS_PER_TRACE;
  int threads = DEFAULT_THREADS;
  int queueCapacity = DEFAULT_QUEUE_CAPACITY;
  int backlog = 128;
  Duration defaultWindow = DEFAULT_WINDOW;
  Duration maxWindow = DEFAULT_MAX_WINDOW;
  PrometheusMeterRegistry meterRegistry;
  Path apiKeyFile;
  Duration apiKeyReloadInterval = ApiKeys.DEFAULT_RELOAD_INTERVAL;
  boolean allowUnauthenticated;
  int tenantMaxInFlight = TenantLimits.DEFAULT_MAX_IN_FLIGHT;
  double tenantRatePerSecond = TenantLimits.DEFAULT_RATE_PER_SECOND;
  int tenantBurst = TenantLimits.DEFAULT_BURST;

  RunHistoryServiceBuilder() {}

  /** The one ClickHouse reader replica to query: {@code readers(List.of(reader))}. */
  public RunHistoryServiceBuilder reader(ClickHouseDatabase reader) {
    return readers(List.of(Objects.requireNonNull(reader, "reader")));
  }

  /**
   * The ClickHouse reader replicas to query, 1..16, distinct URLs, one database; reads are routed
   * across them by health and replication delay. Required (or {@link #reader}); the service never writes.
   */
  public RunHistoryServiceBuilder readers(List<ClickHouseDatabase> readers) {
    Objects.requireNonNull(readers, "readers");
    for (ClickHouseDatabase r : readers) Objects.requireNonNull(r, "readers must not contain null");
    // The router's rules (count, distinct URLs, one database), checked now so that build() names them.
    ReaderRouter.builder().readers(readers.stream().map(ReaderClient::of).toList());
    this.readers = List.copyOf(readers);
    return this;
  }

  /** Time between two health checks of one reader (a ping and its replication delay), 100 ms..1 h. Default 2 s. */
  public RunHistoryServiceBuilder readerCheckInterval(Duration interval) {
    ReaderRouterBuilder.validateCheckInterval(interval);
    this.readerCheckInterval = interval;
    return this;
  }

  /**
   * Replication delay past which a reader is skipped while a reader within it is up, 0 s..1 day
   * (whole seconds; ClickHouse reports whole seconds). If every up reader lags more, the freshest
   * serves. Default 30 s.
   */
  public RunHistoryServiceBuilder maxReplicaDelay(Duration delay) {
    ReaderRouterBuilder.validateMaxReplicaDelay(delay);
    this.maxReplicaDelay = delay;
    return this;
  }

  /** HTTP port, 0..65535; 0 picks a free port (see {@link RunHistoryService#port()}). Default 8080. */
  public RunHistoryServiceBuilder port(int port) {
    this.port = range("port", port, 0, 65_535);
    return this;
  }

  /** Address to bind. Default {@code 0.0.0.0}. */
  public RunHistoryServiceBuilder host(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
    this.host = host;
    return this;
  }

  /** Largest {@code limit} of {@code GET /v1/runs}, 1..100,000. Default 1000. */
  public RunHistoryServiceBuilder maxPageSize(int max) {
    this.maxPageSize = range("maxPageSize", max, 1, 100_000);
    return this;
  }

  /** Page size when {@code limit} is absent, 1..maxPageSize. Default 50. */
  public RunHistoryServiceBuilder defaultPageSize(int size) {
    this.defaultPageSize = range("defaultPageSize", size, 1, 100_000);
    return this;
  }

  /** Spans returned per trace at most, 1..1,000,000; more is answered with {@code "truncated": true}. Default 10,000. */
  public RunHistoryServiceBuilder maxSpansPerTrace(int max) {
    this.maxSpansPerTrace = range("maxSpansPerTrace", max, 1, 1_000_000);
    return this;
  }

  /** Worker threads, 1..256; also the most ClickHouse queries in flight. Default 8. */
  public RunHistoryServiceBuilder threads(int threads) {
    this.threads = range("threads", threads, 1, 256);
    return this;
  }

  /** Requests that may wait for a worker, 1..100,000; beyond that the answer is 503. Default 64. */
  public RunHistoryServiceBuilder queueCapacity(int capacity) {
    this.queueCapacity = range("queueCapacity", capacity, 1, 100_000);
    return this;
  }

  /** Window of {@code GET /v1/runs} when {@code from} is absent, 1 minute..maxWindow. Default 7 days. */
  public RunHistoryServiceBuilder defaultWindow(Duration window) {
    this.defaultWindow = window(window, "defaultWindow");
    return this;
  }

  /** Longest window {@code GET /v1/runs} and {@code GET /v1/stats} accept, 1 minute..366 days. Default 31 days. */
  public RunHistoryServiceBuilder maxWindow(Duration window) {
    this.maxWindow = window(window, "maxWindow");
    return this;
  }

  /** Registry for the service's meters, scraped at {@code /metrics}. Default: a new one. */
  public RunHistoryServiceBuilder meterRegistry(PrometheusMeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
    return this;
  }

  /**
   * The API key file (format in the README); every {@code /v1} request then needs one of its
   * keys, and sees only that key's tenant. Reloaded when it changes. Required unless
   * {@link #allowUnauthenticated(boolean)}; no default. Read at {@link RunHistoryService#start()}.
   */
  public RunHistoryServiceBuilder apiKeyFile(Path file) {
    this.apiKeyFile = Objects.requireNonNull(file, "apiKeyFile");
    return this;
  }

  /** How often the key file is checked for changes, 10 ms..1 hour. Default 2 seconds. */
  public RunHistoryServiceBuilder apiKeyReloadInterval(Duration interval) {
    Objects.requireNonNull(interval, "apiKeyReloadInterval");
    if (interval.toMillis() < 10 || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("apiKeyReloadInterval must be 10 ms..1 hour, was " + interval);
    }
    this.apiKeyReloadInterval = interval;
    return this;
  }

  /**
   * Serve without API keys: any caller may read any tenant, as before keys existed. For local
   * use only; excludes {@link #apiKeyFile(Path)}. Default false: without a key file the service
   * does not build.
   */
  public RunHistoryServiceBuilder allowUnauthenticated(boolean allow) {
    this.allowUnauthenticated = allow;
    return this;
  }

  /** Requests of one tenant in flight at once, 1..256; more are answered 429 at once. Default 4. */
  public RunHistoryServiceBuilder tenantMaxInFlight(int max) {
    this.tenantMaxInFlight = range("tenantMaxInFlight", max, 1, 256);
    return this;
  }

  /** Sustained requests per second per tenant (token bucket refill), 0.01..100,000. Default 20. */
  public RunHistoryServiceBuilder tenantRatePerSecond(double perSecond) {
    if (!(perSecond >= 0.01 && perSecond <= 100_000)) {
      throw new IllegalArgumentException("tenantRatePerSecond must be 0.01..100000, was " + perSecond);
    }
    this.tenantRatePerSecond = perSecond;
    return this;
  }

  /** Requests per tenant above the rate that may arrive at once (bucket size), 1..100,000. Default 40. */
  public RunHistoryServiceBuilder tenantBurst(int burst) {
    this.tenantBurst = range("tenantBurst", burst, 1, 100_000);
    return this;
  }

  /** Checks the settings together and builds the (not yet started) service. */
  public RunHistoryService build() {
    if (readers == null) throw new IllegalStateException("reader is required: the ClickHouse reader replica(s)");
    if (defaultWindow.compareTo(maxWindow) > 0) {
      throw new IllegalStateException("defaultWindow (" + defaultWindow + ") must not exceed maxWindow (" + maxWindow + ")");
    }
    if (defaultPageSize > maxPageSize) {
      throw new IllegalStateException("defaultPageSize (" + defaultPageSize + ") must not exceed maxPageSize (" + maxPageSize + ")");
    }
    if (apiKeyFile == null && !allowUnauthenticated) {
      throw new IllegalStateException("apiKeyFile is required: the API key file (bin/runtrace-keys create --tenant <tenant>"
          + " makes one); allowUnauthenticated(true) serves every tenant without keys, for local use only");
    }
    if (apiKeyFile != null && allowUnauthenticated) {
      throw new IllegalStateException("apiKeyFile and allowUnauthenticated(true) exclude each other");
    }
    // The service keeps its own copy, so changing this builder later cannot change it.
    RunHistoryServiceBuilder copy = new RunHistoryServiceBuilder();
    copy.readers = readers;
    copy.readerCheckInterval = readerCheckInterval;
    copy.maxReplicaDelay = maxReplicaDelay;
    copy.port = port;
    copy.host = host;
    copy.maxPageSize = maxPageSize;
    copy.defaultPageSize = defaultPageSize;
    copy.maxSpansPerTrace = maxSpansPerTrace;
    copy.threads = threads;
    copy.queueCapacity = queueCapacity;
    copy.backlog = backlog;
    copy.defaultWindow = defaultWindow;
    copy.maxWindow = maxWindow;
    copy.apiKeyFile = apiKeyFile;
    copy.apiKeyReloadInterval = apiKeyReloadInterval;
    copy.allowUnauthenticated = allowUnauthenticated;
    copy.tenantMaxInFlight = tenantMaxInFlight;
    copy.tenantRatePerSecond = tenantRatePerSecond;
    copy.tenantBurst = tenantBurst;
    copy.meterRegistry = meterRegistry == null ? RunHistoryService.defaultRegistry() : meterRegistry;
    return new RunHistoryService(copy);
  }

  private static Duration window(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(366)) > 0) {
      throw new IllegalArgumentException(name + " must be 1 minute..366 days, was " + d);
    }
    return d;
  }

  private static int range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + value);
    }
    return value;
  }
}
