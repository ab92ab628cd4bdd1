package io.runtrace.query;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.auth.ApiKeys;
import io.runtrace.query.auth.TenantLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;

/**
 * The run-history HTTP JSON API. It reads only from a ClickHouse reader replica: the builder
 * takes the reader and nothing else, so queries cannot compete with ingestion on a writer.
 * Every {@code /v1} request needs an API key of the key file and reads only its tenant.
 *
 * <pre>{@code
 * try (RunHistoryService service = RunHistoryService.builder().reader(reader).apiKeyFile(keys).port(8080).build()) {
 *   service.start();
 * }
 * }</pre>
 */
public final class RunHistoryService implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunHistoryService.class.getName());

  private final RunHistoryServiceBuilder settings;
  private final ClickHouseDatabase reader;
  private HttpServer server;
  private BoundedExecutor executor;
  private ApiKeys keys;

  RunHistoryService(RunHistoryServiceBuilder settings) {
    this.settings = settings;
    this.reader = settings.reader;
  }

  /** Starts a builder; {@link RunHistoryServiceBuilder#reader(ClickHouseDatabase)} is required. */
  public static RunHistoryServiceBuilder builder() {
    return new RunHistoryServiceBuilder();
  }

  /** Binds the port and starts answering; fails when the port is taken. */
  public synchronized RunHistoryService start() {
    if (server != null) throw new IllegalStateException("run history service already started");
    QueryMetrics metrics = new QueryMetrics(settings.meterRegistry);
    RunHistoryApi api = new RunHistoryApi(ReadReplica.of(reader), Clock.systemUTC(), metrics,
        RunHistoryApi.listSettings(settings.defaultPageSize, settings.maxPageSize, settings.defaultWindow,
            settings.maxWindow), settings.maxSpansPerTrace);
    PrometheusMeterRegistry registry = settings.meterRegistry;
    ApiKeys apiKeys = settings.apiKeyFile == null ? null
        : ApiKeys.open(settings.apiKeyFile, settings.apiKeyReloadInterval, registry);
    TenantLimits limits = new TenantLimits(settings.tenantMaxInFlight, settings.tenantRatePerSecond,
        settings.tenantBurst, System::nanoTime, registry);
    try {
      server = HttpServer.create(new InetSocketAddress(settings.host, settings.port), settings.backlog);
    } catch (IOException e) {
      if (apiKeys != null) apiKeys.close();
      throw new UncheckedIOException("cannot bind " + settings.host + ":" + settings.port, e);
    }
    keys = apiKeys;
    executor = new BoundedExecutor(settings.threads, settings.queueCapacity);
    server.setExecutor(executor);
    server.createContext("/", RunHistoryRoutes.create(api, metrics, registry::scrape, keys, limits));
    server.start();
    LOG.log(Level.INFO, "run history API on {0}:{1,number,#} reading {2}", settings.host, port(), reader.url());
    if (keys == null) LOG.log(Level.WARNING, "run history API serves without API keys: every caller may read every tenant");
    return this;
  }

  /** The bound port; with port 0 configured, the ephemeral port chosen at {@link #start()}. */
  public synchronized int port() {
    if (server == null) throw new IllegalStateException("run history service is not started");
    return server.getAddress().getPort();
  }

  /** The reader replica this service queries. */
  public URI readerUrl() {
    return reader.url();
  }

  /** The registry behind {@code /metrics}. */
  public PrometheusMeterRegistry meterRegistry() {
    return settings.meterRegistry;
  }

  /** Stops accepting, lets requests in flight finish for up to one second, stops the workers. */
  @Override
  public synchronized void close() {
    if (server == null) return;
    server.stop(1);
    executor.shutdownNow();
    if (keys != null) keys.close();
    server = null;
  }

  static PrometheusMeterRegistry defaultRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }
}
