package io.runtrace.ingest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP/HTTP receiver ({@code POST /v1/traces}, protobuf or JSON, optionally gzip) that writes
 * spans to Kafka through the same path as {@link KafkaSpanExporter}: one trace per record, a byte
 * budget, a shared producer. Answers 429 with {@code Retry-After} when the budget is full. Also
 * serves {@code GET /health} (liveness), {@code GET /ready} (503 while Kafka is unreachable or the
 * budget is full, or Kafka refused the credentials) and {@code GET /metrics} (Prometheus text). With
 * a {@link Builder#bearerToken bearer token}, {@code /v1/traces} answers 401 to requests without it;
 * the other endpoints stay open.
 */
public final class OtlpHttpReceiver implements AutoCloseable {
  /** The standard OTLP/HTTP port. */
  public static final int DEFAULT_PORT = 4318;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  public static final int DEFAULT_THREADS = 4;

  private final KafkaSettings settings;
  private final String host;
  private final int requestedPort;
  private final int maxRequestBytes;
  private final int threads;
  private final BearerToken token;
  private final PrometheusMeterRegistry prometheus;
  private HttpServer server;
  private ThreadPoolExecutor executor;
  private SharedProducer producer;

  private OtlpHttpReceiver(Builder b, KafkaSettings settings) {
    this.settings = settings;
    this.host = b.host;
    this.requestedPort = b.port;
    this.maxRequestBytes = b.maxRequestBytes;
    this.threads = b.threads;
    this.token = b.token();
    this.prometheus = settings.meterRegistry instanceof PrometheusMeterRegistry
        ? (PrometheusMeterRegistry) settings.meterRegistry
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving; Kafka is connected in the background. */
  public synchronized OtlpHttpReceiver start() {
    if (server != null) throw new IllegalStateException("already started");
    try {
      server = HttpServer.create(new InetSocketAddress(host, requestedPort), 128);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + requestedPort, e);
    }
    producer = SharedProducer.acquire(settings.producerSettings());
    producer.metrics.bindTo(prometheus);
    if (settings.meterRegistry != null && settings.meterRegistry != prometheus) producer.metrics.bindTo(settings.meterRegistry);
    AtomicInteger n = new AtomicInteger();
    // Bounded threads and queue; past that the accepting thread runs the request itself, which slows intake.
    executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads * 16), r -> {
      Thread t = new Thread(r, "runtrace-otlp-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    BearerAuth auth = new BearerAuth(token, "OTLP/HTTP", prometheus, settings.meterRegistry == prometheus ? null : settings.meterRegistry);
    server.createContext("/v1/traces", new TracesHandler(producer, new TraceRecordBatcher(settings.maxRecordBytes), maxRequestBytes, auth));
    server.createContext("/health", ex -> reply(ex, 200, "ok\n"));
    server.createContext("/ready", ex -> ready(ex, producer));
    server.createContext("/metrics", ex -> {
      try (ex) {
        Replies.text(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape());
      }
    });
    server.start();
    return this;
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) Replies.error(exchange, 405, "use GET", false);
      else Replies.text(exchange, status, "text/plain; charset=utf-8", body);
    }
  }

  /** 200 when Kafka is considered reachable and the budget has room; 503 naming the reason otherwise. */
  private static void ready(HttpExchange exchange, SharedProducer producer) throws IOException {
    String refused = producer.credentialRefused();
    if (refused != null) reply(exchange, 503, "not ready: " + refused + "\n");
    else if (producer.circuitOpen()) reply(exchange, 503, "not ready: Kafka is unreachable\n");
    else if (!producer.ready()) reply(exchange, 503, "not ready: span buffer is full\n");
    else reply(exchange, 200, "ready\n");
  }

  /** The bound port, useful with port 0; -1 before {@link #start()}. */
  public synchronized int port() {
    return server == null ? -1 : server.getAddress().getPort();
  }

  /** The registry that {@code GET /metrics} serves. */
  public PrometheusMeterRegistry meterRegistry() {
    return prometheus;
  }

  /** Stops accepting requests, then flushes held spans to Kafka within the flush timeout. */
  @Override
  public synchronized void close() {
    if (server == null) return;
    server.stop(1);
    executor.shutdown();
    producer.release(settings.flushTimeout);
    server = null;
  }

  /** Builds an {@link OtlpHttpReceiver}; {@link #bootstrapServers} is required. */
  public static final class Builder extends ReceiverBuilder<Builder> {
    private Builder() {
      super(DEFAULT_PORT);
    }

    /** Validates the settings, naming the one at fault; {@link OtlpHttpReceiver#start()} binds the port. */
    public OtlpHttpReceiver build() {
      validateReceiver();
      return new OtlpHttpReceiver(this, settings());
    }
  }
}
