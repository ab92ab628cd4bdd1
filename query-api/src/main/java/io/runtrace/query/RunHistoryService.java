package io.runtrace.query;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.routing.ReaderClient;
import io.runtrace.query.routing.ReaderRouter;
import io.runtrace.query.auth.ApiKeys;
import io.runtrace.query.auth.TenantLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/**
 * The run-history HTTP JSON API. It reads only from ClickHouse reader replicas: the builder
 * takes readers and nothing else, so queries cannot compete with ingestion on a writer. Reads are
 * routed across the readers by health and replication delay ({@link ReaderRouter}).
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
  private final List<ClickHouseDatabase> readers;
  private HttpServer server;
  private ReaderRouter router;
  private BoundedExecutor executor;
  private ApiKeys keys;

  RunHistoryService(RunHistoryServiceBuilder settings) {
    this.settings = settings;
    this.readers = settings.readers;
  }

  /** Starts a builder; {@link RunHistoryServiceBuilder#readers(List)} (or {@code reader}) is required. */
  public static RunHistoryServiceBuilder builder() {
    return new RunHistoryServiceBuilder();
  }

  /** Checks the readers once, binds the port and starts answering; fails when the port is taken. */
  public synchronized RunHistoryService start() {
    if (server != null) throw new IllegalStateException("run history service already started");
    QueryMetrics metrics = new QueryMetrics(settings.meterRegistry);
    // Keys first: a bad key file fails start-up before any reader check thread exists.
    ApiKeys apiKeys = settings.apiKeyFile == null ? null
        : ApiKeys.open(settings.apiKeyFile, settings.apiKeyReloadInterval, settings.meterRegistry);
    router = ReaderRouter.builder().readers(readers.stream().map(ReaderClient::of).toList())
        .checkInterval(settings.readerCheckInterval).maxReplicaDelay(settings.maxReplicaDelay)
        .meterRegistry(settings.meterRegistry).build().start();
    RunHistoryApi api = new RunHistoryApi(router, Clock.systemUTC(), metrics,
        RunHistoryApi.listSettings(settings.defaultPageSize, settings.maxPageSize, settings.defaultWindow,
            settings.maxWindow), settings.maxSpansPerTrace);
    PrometheusMeterRegistry registry = settings.meterRegistry;
    TenantLimits limits = new TenantLimits(settings.tenantMaxInFlight, settings.tenantRatePerSecond,
        settings.tenantBurst, System::nanoTime, registry);
    try {
      server = HttpServer.create(new InetSocketAddress(settings.host, settings.port), settings.backlog);
    } catch (IOException e) {
      router.close();
      if (apiKeys != null) apiKeys.close();
      throw new UncheckedIOException("cannot bind " + settings.host + ":" + settings.port, e);
    }
    keys = apiKeys;
    executor = new BoundedExecutor(settings.threads, settings.queueCapacity);
    server.setExecutor(executor);
    server.createContext("/", RunHistoryRoutes.create(api, metrics, registry::scrape, keys, limits));
    server.start();
    ReaderUserCheck.start(readers, settings.meterRegistry);
    LOG.log(Level.INFO, "run history API on {0}:{1,number,#} reading {2}", settings.host, port(), router.readerNames());
    if (keys == null) LOG.log(Level.WARNING, "run history API serves without API keys: every caller may read every tenant");
    return this;
  }

  /** The bound port; with port 0 configured, the ephemeral port chosen at {@link #start()}. */
  public synchronized int port() {
    if (server == null) throw new IllegalStateException("run history service is not started");
    return server.getAddress().getPort();
  }

  /** The first reader replica this service queries. */
  public URI readerUrl() {
    return readers.get(0).url();
  }

  /** The reader replicas this service queries, in the order given. */
  public List<URI> readerUrls() {
    return readers.stream().map(ClickHouseDatabase::url).toList();
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
    router.close();
    if (keys != null) keys.close();
    server = null;
  }

  static PrometheusMeterRegistry defaultRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }
}
